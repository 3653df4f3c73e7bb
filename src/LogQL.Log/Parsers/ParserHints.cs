namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// The label names a query reads after parsing (label filters, unwrap, the outer <c>sum by</c> grouping). A parser
/// given hints still scans the whole line, so syntax errors are reported exactly as without hints, but it only
/// creates labels (and their value strings) for keys in this set.
/// </summary>
/// <remarks>
/// Only sound where labels outside the set cannot change the result: a metric query whose series are summed
/// away or grouped by a subset of the set. Log queries return every label and never use hints.
/// </remarks>
public sealed class ParserHints
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly byte[][] _plain;

    /// <param name="names">Label names read after parsing. A name ending in <c>_extracted</c> also admits its
    /// un-suffixed key, which becomes that name when the stream has a label of the same name.</param>
    public ParserHints(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var n in names)
        {
            _names.Add(n);
            if (n.EndsWith(PipelineErrors.DuplicateSuffix, StringComparison.Ordinal) && n.Length > PipelineErrors.DuplicateSuffix.Length)
            {
                _names.Add(n[..^PipelineErrors.DuplicateSuffix.Length]);
            }
        }
        _plain = [.. _names.Select(System.Text.Encoding.UTF8.GetBytes)];
        Names = [.. _names.Order(StringComparer.Ordinal)];
    }

    /// <summary>The names parsers extract, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>True when a parsed label of this (sanitised) name is wanted.</summary>
    public bool Requires(string name) => _names.Contains(name);

    /// <summary>True when some wanted name starts with <paramref name="prefix"/> (json: is a nested object worth walking).</summary>
    internal bool RequiresPrefix(string prefix)
    {
        foreach (var n in _names)
        {
            if (n.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// For a raw key made only of <c>[A-Za-z0-9_]</c> and not starting with a digit (sanitising leaves it unchanged):
    /// whether it is wanted, without allocating. Null when the key needs sanitising first.
    /// </summary>
    internal bool? RequiresPlain(ReadOnlySpan<byte> rawKey)
    {
        if (!IsPlain(rawKey))
        {
            return null;
        }
        foreach (var p in _plain)
        {
            if (rawKey.SequenceEqual(p))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>As <see cref="RequiresPrefix"/> for <c>rawKey + "_"</c> when the key is plain (see <see cref="RequiresPlain"/>).</summary>
    internal bool? RequiresPlainPrefix(ReadOnlySpan<byte> rawKey)
    {
        if (!IsPlain(rawKey))
        {
            return null;
        }
        foreach (var p in _plain)
        {
            if (p.Length > rawKey.Length && p[rawKey.Length] == '_' && p.AsSpan().StartsWith(rawKey))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsPlain(ReadOnlySpan<byte> rawKey)
    {
        if (rawKey.IsEmpty || char.IsAsciiDigit((char)rawKey[0]))
        {
            return false;
        }
        foreach (var b in rawKey)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
