using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Substring test on UTF-8 bytes; case-insensitive matching takes an ASCII fast path.</summary>
internal sealed class ContainsFilter : LineFilter
{
    private readonly byte[] _needle;
    private readonly string _literal;
    private readonly Mode _mode;
    private readonly byte _lower;
    private readonly byte _upper;

    private enum Mode
    {
        Exact,
        AsciiIgnoreCase,
        UnicodeIgnoreCase,
    }

    private ContainsFilter(string literal, bool ignoreCase)
    {
        _literal = literal;
        var ascii = Ascii.IsValid(literal);
        _mode = !ignoreCase ? Mode.Exact : ascii ? Mode.AsciiIgnoreCase : Mode.UnicodeIgnoreCase;
        _needle = Encoding.UTF8.GetBytes(_mode == Mode.AsciiIgnoreCase ? literal.ToLowerInvariant() : literal);
        _lower = (byte)char.ToLowerInvariant((char)_needle[0]);
        _upper = (byte)char.ToUpperInvariant((char)_needle[0]);
        IgnoreCase = ignoreCase;
    }

    public static ContainsFilter Create(string literal, bool ignoreCase) => new(literal, ignoreCase);

    public string Literal => _literal;

    public bool IgnoreCase { get; }

    public override bool Matches(ReadOnlySpan<byte> line) => _mode switch
    {
        Mode.Exact => line.IndexOf(_needle) >= 0,
        Mode.AsciiIgnoreCase => IndexOfAsciiIgnoreCase(line) >= 0,
        _ => Utf8Scratch.Decode(line).IndexOf(_literal, StringComparison.OrdinalIgnoreCase) >= 0,
    };

    private int IndexOfAsciiIgnoreCase(ReadOnlySpan<byte> line)
    {
        var needle = _needle.AsSpan();
        var offset = 0;
        while (line.Length - offset >= needle.Length)
        {
            var rest = line[offset..(line.Length - needle.Length + 1)];
            var i = _lower == _upper ? rest.IndexOf(_lower) : rest.IndexOfAny(_lower, _upper);
            if (i < 0)
            {
                return -1;
            }
            var at = offset + i;
            if (Ascii.EqualsIgnoreCase(line.Slice(at, needle.Length), needle))
            {
                return at;
            }
            offset = at + 1;
        }
        return -1;
    }

    internal override void CollectRequired(List<RequiredLiteral> into) => into.Add(new RequiredLiteral(_literal, IgnoreCase));
}
