using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

internal static partial class TemplateFunctions
{
    private static void AddEncoding(Dictionary<string, Func> t)
    {
        Add(t, "b64enc", 1, 1, static (_, a) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a, 0))));
        Add(t, "b64dec", 1, 1, static (_, a) => B64Decode(Str(a, 0)));
        Add(t, "urlencode", 1, 1, static (_, a) => QueryEscape(Str(a, 0)));
        Add(t, "urldecode", 1, 1, static (_, a) => QueryUnescape(Str(a, 0)));
        Add(t, "sha256", 1, 1, static (_, a) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Str(a, 0)))));
        Add(t, "fromJson", 1, 1, static (_, a) => FromJson(Str(a, 0)));
    }

    // sprig returns the error text instead of failing
    private static string B64Decode(string s)
    {
        var bytes = new byte[s.Length];
        if (!Convert.TryFromBase64String(s, bytes, out var n))
        {
            return "illegal base64 data at input byte 0";
        }
        return Encoding.UTF8.GetString(bytes, 0, n);
    }

    // Go url.QueryEscape: unreserved stay, space becomes '+', everything else %XX.
    private static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static string QueryUnescape(string s)
    {
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                {
                    var bad = s.Substring(i, Math.Min(3, s.Length - i));
                    throw new TemplateException($"invalid URL escape {GoQuote.Quote(bad)}");
                }
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // sprig fromJson: objects become maps, arrays lists, numbers float64; invalid JSON gives nil
    private static object? FromJson(string s)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            return Convert(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }

        static object? Convert(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (m, p) =>
            {
                m[p.Name] = Convert(p.Value);
                return m;
            }),
            JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToList(),
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }
}
