using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Orleans.Loki.LogQL.Log;

/// <summary>The address set of <c>ip("...")</c>: one address, a range <c>a-b</c> or a CIDR prefix; IPv4 or IPv6.</summary>
internal sealed class IpMatcher
{
    private readonly bool _v6;
    private readonly UInt128 _lo;
    private readonly UInt128 _hi;

    private IpMatcher(bool v6, UInt128 lo, UInt128 hi)
    {
        _v6 = v6;
        _lo = lo;
        _hi = hi;
    }

    public static bool TryParse(string pattern, out IpMatcher? matcher, out string? error)
    {
        matcher = null;
        error = null;
        var p = pattern.AsSpan().Trim();
        var slash = p.IndexOf('/');
        var dash = p.IndexOf('-');
        if (slash >= 0)
        {
            if (!TryParseAddress(p[..slash], out var v6, out var addr) ||
                !int.TryParse(p[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits) ||
                bits > (v6 ? 128 : 32))
            {
                error = $"ip: invalid pattern: netip.ParsePrefix(\"{pattern}\"): bad prefix";
                return false;
            }
            var width = v6 ? 128 : 32;
            var hostBits = width - bits;
            var hostMask = hostBits == 0 ? UInt128.Zero : hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
            var lo = addr & ~hostMask;
            if (!v6)
            {
                lo &= uint.MaxValue;
            }
            matcher = new IpMatcher(v6, lo, lo | hostMask);
            return true;
        }
        if (dash >= 0)
        {
            if (!TryParseAddress(p[..dash].Trim(), out var v6a, out var a) || !TryParseAddress(p[(dash + 1)..].Trim(), out var v6b, out var b) || v6a != v6b)
            {
                error = $"ip: invalid pattern: invalid ip range \"{pattern}\"";
                return false;
            }
            if (a > b)
            {
                error = $"ip: invalid pattern: invalid ip range \"{pattern}\": start is after end";
                return false;
            }
            matcher = new IpMatcher(v6a, a, b);
            return true;
        }
        if (!TryParseAddress(p, out var v6s, out var single))
        {
            error = $"ip: invalid pattern: ParseAddr(\"{pattern}\"): unable to parse IP";
            return false;
        }
        matcher = new IpMatcher(v6s, single, single);
        return true;
    }

    public bool Contains(bool v6, UInt128 addr) => v6 == _v6 && addr >= _lo && addr <= _hi;

    public bool ContainsText(ReadOnlySpan<char> text) => TryParseAddress(text, out var v6, out var a) && Contains(v6, a);

    /// <summary>True when any IP-looking token of the line lies in the set.</summary>
    public bool LineContains(ReadOnlySpan<byte> line)
    {
        Span<char> chars = stackalloc char[64];
        var i = 0;
        while (i < line.Length)
        {
            if (!IsIpChar(line[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < line.Length && IsIpChar(line[i]))
            {
                i++;
            }
            var token = line[start..i];
            // a sentence may end right after an address ("from 10.0.0.1.")
            while (token.Length > 0 && (token[^1] == '.' || (token[^1] == ':' && !token.EndsWith("::"u8))))
            {
                token = token[..^1];
            }
            if (token.Length < 2 || token.Length > chars.Length)
            {
                continue;
            }
            if (token.IndexOfAny((byte)'.', (byte)':') < 0)
            {
                continue;
            }
            for (var k = 0; k < token.Length; k++)
            {
                chars[k] = (char)token[k];
            }
            var text = chars[..token.Length];
            if (ContainsText(text))
            {
                return true;
            }
            // "10.0.0.1:8080": an IPv4 address followed by a port is not an IPv6 token
            if (text.Contains('.') && text.Contains(':'))
            {
                foreach (var range in text.Split(':'))
                {
                    if (ContainsText(text[range]))
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static bool IsIpChar(byte b) => char.IsAsciiHexDigit((char)b) || b == '.' || b == ':';

    /// <summary>Strict parsing like Go's netip.ParseAddr: dotted-quad IPv4 without leading zeros, or IPv6.</summary>
    public static bool TryParseAddress(ReadOnlySpan<char> s, out bool v6, out UInt128 value)
    {
        value = 0;
        v6 = false;
        if (s.Length == 0)
        {
            return false;
        }
        if (s.Contains(':'))
        {
            v6 = true;
            if (!IPAddress.TryParse(s, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6 || s.Contains('%'))
            {
                return false;
            }
            Span<byte> bytes = stackalloc byte[16];
            ip.TryWriteBytes(bytes, out _);
            value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            return true;
        }
        uint acc = 0;
        var parts = 0;
        var i = 0;
        while (i <= s.Length)
        {
            var start = i;
            uint part = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                part = part * 10 + (uint)(s[i] - '0');
                if (part > 255 || i - start >= 3)
                {
                    return false;
                }
                i++;
            }
            var len = i - start;
            if (len == 0 || (len > 1 && s[start] == '0'))
            {
                return false;
            }
            acc = (acc << 8) | part;
            parts++;
            if (i == s.Length)
            {
                break;
            }
            if (s[i] != '.' || parts == 4)
            {
                return false;
            }
            i++;
        }
        if (parts != 4)
        {
            return false;
        }
        value = acc;
        return true;
    }
}
