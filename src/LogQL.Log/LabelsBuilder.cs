using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// The label set of the line being processed: the stream's labels (fixed per stream) plus, per line,
/// structured metadata, parsed labels, deletions and the error labels.
/// </summary>
/// <remarks>
/// Lookup precedence is parsed, then structured metadata, then stream labels. Results are cached while
/// nothing changed, so streams that only run line filters never rebuild their label string per line.
/// </remarks>
public sealed partial class LabelsBuilder
{
    private readonly KeyValuePair<string, string>[] _base;
    private readonly List<Entry> _added = new(8);
    private readonly List<string> _deleted = new(2);
    private string? _error;
    private string? _errorDetails;

    // Cache of the computed result; _version bumps on every mutation.
    private int _version;
    private int _cachedVersion = -1;
    private KeyValuePair<string, string>[]? _cachedLabels;
    private string? _cachedString;
    private int _cachedStringVersion = -1;
    private ulong _cachedHash;
    private bool _hashValid;

    private string? _baseString;
    private ulong _baseHash;
    private bool _baseHashValid;

    // Parsed values added as UTF-8 (Value null) stay bytes in _valueBytes until something reads them: most lines of a
    // log query are dropped by a later label filter that reads one or two labels, so the others never become strings.
    private record struct Entry(string Name, string? Value, LabelCategory Category, int Offset = 0, int Length = 0);

    private const int MaxValueBytes = 16 * 1024;
    private byte[] _valueBytes = new byte[256];
    private int _valueBytesUsed;

    // Strings made from lazy values, per entry position: lines of a stream repeat many values at the same position.
    private readonly SlotCache<string> _lazyStrings = new();

    /// <param name="streamLabels">The stream's labels; sorted here if the caller did not.</param>
    public LabelsBuilder(KeyValuePair<string, string>[] streamLabels)
    {
        ArgumentNullException.ThrowIfNull(streamLabels);
        _base = streamLabels;
        if (!IsSorted(streamLabels))
        {
            _base = (KeyValuePair<string, string>[])streamLabels.Clone();
            Array.Sort(_base, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }
    }

    /// <summary>The stream's labels, sorted.</summary>
    public KeyValuePair<string, string>[] StreamLabels => _base;

    /// <summary>True when nothing was added, deleted or flagged for the current line.</summary>
    public bool IsUnchanged => _added.Count == 0 && _deleted.Count == 0 && _error is null && _errorDetails is null;

    /// <summary>Clears all per-line state; call before each line.</summary>
    public void Reset()
    {
        if (IsUnchanged)
        {
            return;
        }
        _added.Clear();
        _valueBytesUsed = 0;
        _deleted.Clear();
        _error = null;
        _errorDetails = null;
        _version++;
    }

    public bool TryGet(string name, out string value)
    {
        if (name == PipelineErrors.ErrorLabel)
        {
            value = _error ?? "";
            return _error is not null;
        }
        if (name == PipelineErrors.ErrorDetailsLabel)
        {
            value = _errorDetails ?? "";
            return _errorDetails is not null;
        }
        var found = -1;
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Name == name && (found < 0 || _added[i].Category > _added[found].Category))
            {
                found = i;
            }
        }
        if (found >= 0)
        {
            value = ValueAt(found);
            return true;
        }
        if (_deleted.Count > 0 && _deleted.Contains(name))
        {
            value = "";
            return false;
        }
        var idx = BaseIndex(name);
        if (idx >= 0)
        {
            value = _base[idx].Value;
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>
    /// The UTF-8 bytes of a parsed value that no stage has read as a string yet (the parsers' byte path), so that a
    /// filter can read it without making one; false when the label is not such a value (absent, a string already, a
    /// stream or metadata label, an error label): then <see cref="TryGet"/> answers.
    /// </summary>
    internal bool TryGetPendingUtf8(string name, out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        var found = -1;
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Name == name && (found < 0 || _added[i].Category > _added[found].Category))
            {
                found = i;
            }
        }
        if (found < 0 || PipelineErrors.IsSpecial(name))
        {
            return false;
        }
        var e = _added[found];
        if (e.Value is not null)
        {
            return false;
        }
        utf8 = _valueBytes.AsSpan(e.Offset, e.Length);
        return true;
    }

    /// <summary>The value of a label, or "" when absent.</summary>
    public string GetOrEmpty(string name) => TryGet(name, out var v) ? v : "";

    /// <summary>True when the stream (not the line) carries a label of that name.</summary>
    public bool StreamHas(string name) => BaseIndex(name) >= 0;

    /// <summary>True when the current line's structured metadata has <paramref name="name"/> (under that name).</summary>
    public bool MetadataHas(string name)
    {
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Category == LabelCategory.StructuredMetadata && _added[i].Name == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Adds one structured-metadata entry with Loki's precedence: a name the stream already has keeps the stream's
    /// value and the metadata value goes to <c>name_extracted</c>.
    /// </summary>
    public void SetMetadata(string name, string value) =>
        Set(LabelCategory.StructuredMetadata, StreamHas(name) ? name + PipelineErrors.DuplicateSuffix : name, value);

    /// <summary>True when a parser already extracted this key for the current line (the first value wins).</summary>
    public bool ParserKeyExists(string name)
    {
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Category == LabelCategory.Parsed && _added[i].Name == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when some stage already added a parsed label to the current line.</summary>
    internal bool HasParsedLabels
    {
        get
        {
            foreach (var e in CollectionsMarshal.AsSpan(_added))
            {
                if (e.Category == LabelCategory.Parsed)
                {
                    return true;
                }
            }
            return false;
        }
    }

    public void Set(LabelCategory category, string name, string value)
    {
        if (name == PipelineErrors.ErrorLabel)
        {
            SetError(value);
            return;
        }
        if (name == PipelineErrors.ErrorDetailsLabel)
        {
            _errorDetails = value;
            _version++;
            return;
        }
        _version++;
        for (var i = 0; i < _added.Count; i++)
        {
            if (_added[i].Name == name && _added[i].Category == category)
            {
                _added[i] = new Entry(name, value, category);
                return;
            }
        }
        _added.Add(new Entry(name, value, category));
    }

    /// <summary>
    /// Adds a parsed label the caller knows is not yet parsed for this line (<see cref="ParserKeyExists"/> was false),
    /// skipping <see cref="Set"/>'s search for an entry to replace.
    /// </summary>
    internal void AddParsed(string name, string value)
    {
        if (PipelineErrors.IsSpecial(name))
        {
            Set(LabelCategory.Parsed, name, value);
            return;
        }
        _version++;
        _added.Add(new Entry(name, value, LabelCategory.Parsed));
    }

    /// <summary>
    /// Adds a parsed label whose value is the UTF-8 <paramref name="utf8"/> (copied); the string is made only when
    /// read, with the parsers' rule that a value holding U+FFFD (invalid UTF-8 included) becomes "".
    /// The caller knows the name is not yet parsed for this line.
    /// </summary>
    internal void AddParsedUtf8(string name, ReadOnlySpan<byte> utf8)
    {
        if (PipelineErrors.IsSpecial(name))
        {
            var s = Encoding.UTF8.GetString(utf8);
            Set(LabelCategory.Parsed, name, s.Contains('\uFFFD') ? "" : s);
            return;
        }
        var offset = _valueBytesUsed;
        if (offset + utf8.Length > _valueBytes.Length)
        {
            if (offset + utf8.Length > MaxValueBytes)
            {
                // Every stream's builder keeps its buffer: huge lines take strings instead of growing it without bound.
                var s = Encoding.UTF8.GetString(utf8);
                AddParsed(name, s.Contains('\uFFFD') ? "" : s);
                return;
            }
            Array.Resize(ref _valueBytes, Math.Max(_valueBytes.Length * 2, offset + utf8.Length));
        }
        utf8.CopyTo(_valueBytes.AsSpan(offset));
        _valueBytesUsed = offset + utf8.Length;
        _version++;
        _added.Add(new Entry(name, null, LabelCategory.Parsed, offset, utf8.Length));
    }

    // The value of entry i, made into a string (and kept) on first read.
    private string ValueAt(int i)
    {
        ref var e = ref CollectionsMarshal.AsSpan(_added)[i];
        if (e.Value is { } v)
        {
            return v;
        }
        var bytes = _valueBytes.AsSpan(e.Offset, e.Length);
        var s = _lazyStrings.TryGet(i, bytes);
        if (s is null)
        {
            s = Encoding.UTF8.GetString(bytes);
            if (s.Contains('\uFFFD'))
            {
                s = "";
            }
            _lazyStrings.Set(i, bytes, s);
        }
        e.Value = s;
        return s;
    }

    /// <summary>Removes a label of any category from the line's result.</summary>
    public void Delete(string name)
    {
        if (name == PipelineErrors.ErrorLabel)
        {
            ResetError();
            return;
        }
        if (name == PipelineErrors.ErrorDetailsLabel)
        {
            ResetErrorDetails();
            return;
        }
        _version++;
        for (var i = _added.Count - 1; i >= 0; i--)
        {
            if (_added[i].Name == name)
            {
                _added.RemoveAt(i);
            }
        }
        if (BaseIndex(name) >= 0 && !_deleted.Contains(name))
        {
            _deleted.Add(name);
        }
    }

    public bool HasError => _error is not null;

    public string? Error => _error;

    public string? ErrorDetails => _errorDetails;

    /// <summary>Sets <c>__error__</c> (and <c>__error_details__</c> when given), replacing an earlier error as Loki does.</summary>
    public void SetError(string error, string? details = null)
    {
        _error = error;
        if (details is not null)
        {
            _errorDetails = details;
        }
        _version++;
    }

    public void ResetError()
    {
        if (_error is not null)
        {
            _error = null;
            _version++;
        }
    }

    public void ResetErrorDetails()
    {
        if (_errorDetails is not null)
        {
            _errorDetails = null;
            _version++;
        }
    }

    private int BaseIndex(string name)
    {
        var b = _base;
        int lo = 0, hi = b.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(b[mid].Key, name);
            if (c == 0)
            {
                return mid;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return -1;
    }

    private static bool IsSorted(KeyValuePair<string, string>[] labels)
    {
        for (var i = 1; i < labels.Length; i++)
        {
            if (string.CompareOrdinal(labels[i - 1].Key, labels[i].Key) > 0)
            {
                return false;
            }
        }
        return true;
    }
}
