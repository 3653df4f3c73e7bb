using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Label-key rules shared by the parsers: sanitising, the <c>_extracted</c> suffix, first value wins.</summary>
internal sealed class LabelKeys
{
    private readonly Dictionary<string, string> _sanitized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, string> _suffixed = new(StringComparer.Ordinal);

    // Lines with unbounded distinct keys must not grow the cache forever.
    private const int MaxCached = 4096;

    public LabelKeys() => _lookup = _sanitized.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Sanitised label name for a raw UTF-8 key, cached; "" when nothing is left.</summary>
    public string Sanitize(ReadOnlySpan<byte> rawKey)
    {
        Span<char> stack = stackalloc char[128];
        var chars = rawKey.Length <= stack.Length ? stack : new char[rawKey.Length];
        var n = Encoding.UTF8.GetChars(rawKey, chars);
        var key = chars[..n];
        if (_lookup.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var result = SanitizeKey(key);
        if (_sanitized.Count < MaxCached)
        {
            _sanitized[key.ToString()] = result;
        }
        return result;
    }

    /// <summary>The final name for a parsed key in this line, or null when an earlier parser already set it.</summary>
    public string? Resolve(LabelsBuilder labels, string sanitized)
    {
        if (sanitized.Length == 0)
        {
            return null;
        }
        var key = sanitized;
        if (labels.StreamHas(key))
        {
            if (!_suffixed.TryGetValue(key, out var s))
            {
                s = key + PipelineErrors.DuplicateSuffix;
                _suffixed[key] = s;
            }
            key = s;
        }
        return labels.ParserKeyExists(key) ? null : key;
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
