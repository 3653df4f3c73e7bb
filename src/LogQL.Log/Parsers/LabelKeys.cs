using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Label-key rules shared by the parsers: sanitising, the <c>_extracted</c> suffix, first value wins.</summary>
internal sealed class LabelKeys
{
    private readonly Dictionary<string, ParsedKey> _sanitized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParsedKey>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, ParsedKey> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParsedKey>.AlternateLookup<ReadOnlySpan<char>> _namedLookup;

    // Lines with unbounded distinct keys must not grow the caches forever.
    private const int MaxCached = 4096;

    // Line counter for ParsedKey.Stamp, and whether this parser is the only one that added parsed labels to the line.
    private int _line;
    private bool _alone;

    public LabelKeys()
    {
        _lookup = _sanitized.GetAlternateLookup<ReadOnlySpan<char>>();
        _namedLookup = _named.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Starts a line: call once per <see cref="IStage.Process"/> before <see cref="Resolve"/>.</summary>
    public void BeginLine(LabelsBuilder labels)
    {
        _line++;
        // Stamps only know what this parser added in this call; an earlier stage's parsed labels need the search.
        _alone = !labels.HasParsedLabels;
    }

    /// <summary>The key for a raw UTF-8 key, sanitised and cached; its name is "" when nothing is left.</summary>
    public ParsedKey Sanitize(ReadOnlySpan<byte> rawKey)
    {
        Span<char> stack = stackalloc char[128];
        var chars = rawKey.Length <= stack.Length ? stack : new char[rawKey.Length];
        var n = Encoding.UTF8.GetChars(rawKey, chars);
        var key = chars[..n];
        if (_lookup.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var result = Named(SanitizeKey(key));
        if (_sanitized.Count < MaxCached)
        {
            _sanitized[key.ToString()] = result;
        }
        return result;
    }

    /// <summary>The key for an already sanitised name.</summary>
    public ParsedKey Named(string name) => _named.TryGetValue(name, out var k) ? k : Add(name);

    /// <summary>The key for an already sanitised name given as characters.</summary>
    public ParsedKey Named(ReadOnlySpan<char> name) => _namedLookup.TryGetValue(name, out var k) ? k : Add(name.ToString());

    private ParsedKey Add(string name)
    {
        if (_named.Count >= MaxCached)
        {
            return new ParsedKey(name, shared: false);
        }
        var k = new ParsedKey(name, shared: true);
        _named.Add(name, k);
        return k;
    }

    /// <summary>The final name for a parsed key in this line, or null when it is empty or already parsed (the first value wins).</summary>
    public string? Resolve(LabelsBuilder labels, ParsedKey parsed)
    {
        if (parsed.Name.Length == 0)
        {
            return null;
        }
        var target = parsed.ResolveFor(labels, this);
        if (_alone && target.Shared && !target.Special)
        {
            if (target.Stamp == _line)
            {
                return null;
            }
            target.Stamp = _line;
            return target.Name;
        }
        return labels.ParserKeyExists(target.Name) ? null : target.Name;
    }

    /// <summary>Loki's sanitizeLabelKey: trim, prefix a leading digit with '_', map every other rune outside [a-zA-Z0-9_] to '_'.</summary>
    public static string SanitizeKey(ReadOnlySpan<char> key)
    {
        key = key.Trim();
        if (key.Length == 0)
        {
            return "";
        }
        var sb = new StringBuilder(key.Length + 1);
        AppendSanitized(sb, key);
        return sb.ToString();
    }

    /// <summary>Appends a sanitised key part; the leading-digit rule applies only at the start of the whole name.</summary>
    public static void AppendSanitized(StringBuilder to, ReadOnlySpan<char> key)
    {
        key = key.Trim();
        if (key.Length == 0)
        {
            return;
        }
        if (to.Length == 0 && char.IsAsciiDigit(key[0]))
        {
            to.Append('_');
        }
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                to.Append(c);
                continue;
            }
            to.Append('_');
            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++; // one rune, one underscore
            }
        }
    }

    /// <summary>Prometheus label-name validity: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLabelName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
