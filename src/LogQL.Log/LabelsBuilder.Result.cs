using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

public sealed partial class LabelsBuilder
{
    /// <summary>The line's final label set, sorted by name. Empty values are kept (as <c>--keep-empty</c> relies on).</summary>
    /// <remarks>The returned array is cached and shared until the next mutation: do not modify it.</remarks>
    public KeyValuePair<string, string>[] Labels()
    {
        if (IsUnchanged)
        {
            return _base;
        }
        if (_cachedVersion == _version && _cachedLabels is not null)
        {
            return _cachedLabels;
        }
        SetCache(MergedLabels());
        return _cachedLabels!;
    }

    /// <summary>Canonical <c>{a="1", b="2"}</c> form of <see cref="Labels()"/> (Go strconv.Quote escaping).</summary>
    public string LabelsString()
    {
        if (IsUnchanged)
        {
            return _baseString ??= Format(_base);
        }
        if (_cachedStringVersion != _version || _cachedString is null)
        {
            _cachedString = MergedString();
            _cachedStringVersion = _version;
        }
        return _cachedString;
    }

    /// <summary>A 64-bit hash of <see cref="Labels()"/> (see <see cref="Hash"/>), stable across processes.</summary>
    public ulong LabelsHash()
    {
        if (IsUnchanged)
        {
            if (!_baseHashValid)
            {
                _baseHash = Hash(_base);
                _baseHashValid = true;
            }
            return _baseHash;
        }
        var labels = Labels();
        if (!_hashValid)
        {
            _cachedHash = Hash(labels);
            _hashValid = true;
        }
        return _cachedHash;
    }

    /// <summary>Labels split by origin; error labels are reported as parsed labels, as Loki does.</summary>
    public CategorizedLabels Categorized()
    {
        var stream = new List<KeyValuePair<string, string>>(_base.Length);
        foreach (var l in _base)
        {
            if (!IsOverridden(l.Key) && (_deleted.Count == 0 || !_deleted.Contains(l.Key)))
            {
                stream.Add(l);
            }
        }
        var meta = new List<KeyValuePair<string, string>>();
        var parsed = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < _added.Count; i++)
        {
            var e = _added[i];
            if (!IsWinningEntry(i))
            {
                continue;
            }
            (e.Category switch
            {
                LabelCategory.Stream => stream,
                LabelCategory.StructuredMetadata => meta,
                _ => parsed,
            }).Add(new(e.Name, ValueAt(i)));
        }
        if (_error is not null)
        {
            parsed.Add(new(PipelineErrors.ErrorLabel, _error));
        }
        if (_errorDetails is not null)
        {
            parsed.Add(new(PipelineErrors.ErrorDetailsLabel, _errorDetails));
        }
        Comparison<KeyValuePair<string, string>> cmp = static (a, b) => string.CompareOrdinal(a.Key, b.Key);
        stream.Sort(cmp);
        meta.Sort(cmp);
        parsed.Sort(cmp);
        return new CategorizedLabels(stream.ToArray(), meta.ToArray(), parsed.ToArray());
    }

    /// <summary>The labels reduced to a grouping (<c>by</c> keeps only the names, <c>without</c> removes them).</summary>
    public KeyValuePair<string, string>[] Labels(LabelGrouping grouping)
    {
        ArgumentNullException.ThrowIfNull(grouping);
        var all = Labels();
        if (grouping.IsIdentity)
        {
            return all;
        }
        var result = new List<KeyValuePair<string, string>>(all.Length);
        foreach (var l in all)
        {
            if (grouping.Keeps(l.Key))
            {
                result.Add(l);
            }
        }
        return result.ToArray();
    }

    /// <summary>Current labels as a name → value map (used as template data).</summary>
    internal Dictionary<string, string> ToDictionary()
    {
        var labels = Labels();
        var map = new Dictionary<string, string>(labels.Length, StringComparer.Ordinal);
        foreach (var l in labels)
        {
            map[l.Key] = l.Value;
        }
        return map;
    }

    private void SetCache(KeyValuePair<string, string>[] labels)
    {
        _cachedLabels = labels;
        _cachedVersion = _version;
        _hashValid = false;
    }

    private bool IsOverridden(string name)
    {
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Name == name)
            {
                return true;
            }
        }
        return false;
    }

    // Among entries of the same name in different categories the highest category wins.
    private bool IsWinningEntry(int index)
    {
        var e = _added[index];
        for (var j = 0; j < _added.Count; j++)
        {
            if (j != index && _added[j].Name == e.Name && _added[j].Category > e.Category)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Formats labels as Prometheus/Loki do: <c>{a="1", b="2"}</c>.</summary>
    public static string Format(ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        var sb = new StringBuilder(labels.Length * 16 + 2);
        sb.Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(labels[i].Key).Append('=');
            GoQuote.Append(sb, labels[i].Value);
        }
        sb.Append('}');
        return sb.ToString();
    }

    /// <summary>
    /// XXH3 over each name and value in turn (their UTF-16 code units, no transcoding), each seeded with the hash so far,
    /// so that both the strings' bounds and their order count.
    /// </summary>
    internal static ulong Hash(ReadOnlySpan<KeyValuePair<string, string>> labels)
    {
        var h = 14695981039346656037UL;
        foreach (var l in labels)
        {
            h = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(l.Key.AsSpan()), unchecked((long)h));
            h = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(l.Value.AsSpan()), unchecked((long)h));
        }
        return h;
    }
}
