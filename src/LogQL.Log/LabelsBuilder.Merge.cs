using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

public sealed partial class LabelsBuilder
{
    // Bytes a lazy value may hold to be written into the label string as they are: printable ASCII but '"' and '\'.
    private static readonly SearchValues<byte> s_plainBytes = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b != '"' && b != '\\').Select(b => (byte)b)]);

    // One label of the line's result: a fixed value (stream or error label), or the added entry at Index.
    private struct Item
    {
        public string Name;
        public string? Value;
        public int Index;
        public LabelCategory Category;
    }

    private Item[] _items = new Item[16];
    private Item[] _merged = new Item[16];
    private readonly StringBuilder _format = new(256);

    /// <summary>
    /// Fills <see cref="_merged"/> with the line's labels sorted by name: stream labels not deleted or overridden,
    /// the winning added entry of each name (highest category) and the error labels. Returns the count.
    /// </summary>
    private int Merge()
    {
        var added = CollectionsMarshal.AsSpan(_added);
        var n = added.Length + 2;
        if (_items.Length < n)
        {
            _items = new Item[Math.Max(n, _items.Length * 2)];
        }
        var items = _items;
        var count = 0;
        for (var i = 0; i < added.Length; i++)
        {
            items[count++] = new Item { Name = added[i].Name, Index = i, Category = added[i].Category };
        }
        if (_error is not null)
        {
            items[count++] = new Item { Name = PipelineErrors.ErrorLabel, Value = _error, Index = -1, Category = LabelCategory.Parsed };
        }
        if (_errorDetails is not null)
        {
            items[count++] = new Item { Name = PipelineErrors.ErrorDetailsLabel, Value = _errorDetails, Index = -1, Category = LabelCategory.Parsed };
        }
        // Insertion sort: a line adds a dozen labels or so, often already partly in order. Same names end up highest
        // category first, and equal categories keep their order (stable).
        for (var i = 1; i < count; i++)
        {
            var x = items[i];
            var j = i - 1;
            while (j >= 0 && Before(x, items[j]))
            {
                items[j + 1] = items[j];
                j--;
            }
            items[j + 1] = x;
        }
        var total = _base.Length + count;
        if (_merged.Length < total)
        {
            _merged = new Item[Math.Max(total, _merged.Length * 2)];
        }
        var merged = _merged;
        var m = 0;
        var b = 0;
        var a = 0;
        while (b < _base.Length || a < count)
        {
            var c = b >= _base.Length ? 1 : a >= count ? -1 : string.CompareOrdinal(_base[b].Key, items[a].Name);
            if (c < 0)
            {
                if (_deleted.Count == 0 || !_deleted.Contains(_base[b].Key))
                {
                    merged[m++] = new Item { Name = _base[b].Key, Value = _base[b].Value, Index = -1 };
                }
                b++;
                continue;
            }
            if (c == 0)
            {
                b++; // overridden by an added entry
            }
            var name = items[a].Name;
            merged[m++] = items[a++];
            while (a < count && items[a].Name == name)
            {
                a++;
            }
        }
        return m;

        static bool Before(in Item x, in Item y)
        {
            var c = string.CompareOrdinal(x.Name, y.Name);
            return c < 0 || (c == 0 && x.Category > y.Category);
        }
    }

    private KeyValuePair<string, string>[] MergedLabels()
    {
        var m = Merge();
        var result = new KeyValuePair<string, string>[m];
        for (var i = 0; i < m; i++)
        {
            ref var it = ref _merged[i];
            result[i] = new(it.Name, it.Value ?? ValueAt(it.Index));
        }
        return result;
    }

    // The label string straight from the merged items: lazy values of plain ASCII are copied from their bytes
    // without making a string for each.
    private string MergedString()
    {
        var m = Merge();
        var sb = _format.Clear();
        sb.Append('{');
        Span<char> chars = stackalloc char[128];
        for (var i = 0; i < m; i++)
        {
            ref var it = ref _merged[i];
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(it.Name).Append('=');
            if (it.Value is null && _added[it.Index] is { Value: null } e && e.Length <= chars.Length)
            {
                var bytes = _valueBytes.AsSpan(e.Offset, e.Length);
                if (bytes.IndexOfAnyExcept(s_plainBytes) < 0)
                {
                    var n = Encoding.ASCII.GetChars(bytes, chars);
                    sb.Append('"').Append(chars[..n]).Append('"');
                    continue;
                }
            }
            GoQuote.Append(sb, it.Value ?? ValueAt(it.Index));
        }
        sb.Append('}');
        return sb.ToString();
    }
}
