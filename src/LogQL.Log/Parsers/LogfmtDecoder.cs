using System.Buffers;
using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A logfmt scanner over UTF-8 bytes following go-logfmt's grammar and error texts.</summary>
/// <remarks>After a syntax error the scanner skips to the next space so lenient callers can continue.</remarks>
internal ref struct LogfmtDecoder
{
    // Bytes that end a key or an unquoted value: space and control bytes, '=' and '"'.
    private static readonly SearchValues<byte> s_tokenEnd = SearchValues.Create(
        [.. Enumerable.Range(0, 33).Select(b => (byte)b), (byte)'=', (byte)'"']);

    private static readonly SearchValues<byte> s_quoteOrEscape = SearchValues.Create("\"\\"u8);

    private readonly ReadOnlySpan<byte> _line;
    private int _pos;

    public LogfmtDecoder(ReadOnlySpan<byte> line)
    {
        _line = line;
        _pos = 0;
        Key = default;
        RawValue = default;
        ValueNeedsUnquote = false;
        Error = null;
    }

    public ReadOnlySpan<byte> Key { get; private set; }

    /// <summary>The value bytes; when <see cref="ValueNeedsUnquote"/> they still include quotes and escapes.</summary>
    public ReadOnlySpan<byte> RawValue { get; private set; }

    public bool ValueNeedsUnquote { get; private set; }

    /// <summary>The first syntax error met, formatted as go-logfmt does.</summary>
    public string? Error { get; private set; }

    public readonly bool EndOfLine => _pos >= _line.Length;

    /// <summary>Scans the next key/value; false on a syntax error (or at the end, see <see cref="EndOfLine"/>).</summary>
    public bool ScanKeyValue()
    {
        Key = default;
        RawValue = default;
        ValueNeedsUnquote = false;
        var line = _line;
        while (_pos < line.Length && line[_pos] <= ' ')
        {
            _pos++;
        }
        if (_pos >= line.Length)
        {
            return false;
        }
        var start = _pos;
        var stop = line[_pos..].IndexOfAny(s_tokenEnd);
        _pos = stop < 0 ? line.Length : _pos + stop;
        if (_pos < line.Length)
        {
            var c = line[_pos];
            if (c == '=')
            {
                if (_pos == start)
                {
                    return Fail(UnexpectedByte(c));
                }
                Key = line[start.._pos];
                return ScanValue();
            }
            if (c == '"')
            {
                return Fail(UnexpectedByte(c));
            }
            Key = line[start.._pos];
            return true;
        }
        Key = line[start.._pos];
        return true;
    }

    private bool ScanValue()
    {
        var line = _line;
        _pos++; // '='
        if (_pos >= line.Length || line[_pos] <= ' ')
        {
            return true;
        }
        if (line[_pos] == '"')
        {
            return ScanQuoted();
        }
        var start = _pos;
        var stop = line[_pos..].IndexOfAny(s_tokenEnd);
        _pos = stop < 0 ? line.Length : _pos + stop;
        if (_pos < line.Length && line[_pos] is (byte)'=' or (byte)'"')
        {
            return Fail(UnexpectedByte(line[_pos]));
        }
        RawValue = line[start.._pos];
        return true;
    }

    private bool ScanQuoted()
    {
        var line = _line;
        var start = _pos;
        var hasEscape = false;
        var i = _pos + 1;
        while (i < line.Length)
        {
            var next = line[i..].IndexOfAny(s_quoteOrEscape);
            if (next < 0)
            {
                break;
            }
            i += next;
            if (line[i] == '\\')
            {
                // The escaped byte cannot close the value.
                hasEscape = true;
                i += 2;
                continue;
            }
            _pos = i + 1;
            if (hasEscape)
            {
                RawValue = line[start.._pos];
                ValueNeedsUnquote = true;
                if (!TryUnquote(RawValue, out _))
                {
                    return Fail("invalid quoted value");
                }
            }
            else
            {
                RawValue = line[(start + 1)..i];
            }
            return true;
        }
        _pos = line.Length;
        return Fail("unterminated quoted value");
    }

    private bool Fail(string message)
    {
        // go-logfmt reports a 1-based position on line 1
        Error ??= $"logfmt syntax error at pos {_pos + 1} on line 1: {message}";
        while (_pos < _line.Length && _line[_pos] > ' ')
        {
            _pos++;
        }
        Key = default;
        RawValue = default;
        return false;
    }

    private static string UnexpectedByte(byte c) => c switch
    {
        (byte)'"' => "unexpected '\"'",
        _ => "unexpected '" + (char)c + "'",
    };

    /// <summary>The value as a string (unquoted when needed).</summary>
    public readonly string ValueString()
    {
        if (!ValueNeedsUnquote)
        {
            return Encoding.UTF8.GetString(RawValue);
        }
        return TryUnquote(RawValue, out var s) ? s : "";
    }

    /// <summary>JSON-style unquoting of a quoted logfmt value (escapes \" \\ \/ \b \f \n \r \t \uXXXX).</summary>
    public static bool TryUnquote(ReadOnlySpan<byte> quoted, out string value)
    {
        value = "";
        if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"')
        {
            return false;
        }
        var body = Encoding.UTF8.GetString(quoted[1..^1]);
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                if (c == '"' || c < ' ')
                {
                    return false;
                }
                sb.Append(c);
                continue;
            }
            if (++i >= body.Length)
            {
                return false;
            }
            switch (body[i])
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case '\'': sb.Append('\''); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (i + 4 >= body.Length)
                    {
                        return false;
                    }
                    if (!int.TryParse(body.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return false;
                    }
                    sb.Append((char)code);
                    i += 4;
                    break;
                default:
                    return false;
            }
        }
        value = sb.ToString();
        return true;
    }
}
