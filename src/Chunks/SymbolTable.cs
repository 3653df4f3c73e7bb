using System.Text;

namespace Orleans.Loki.Chunks;

/// <summary>
/// Structured-metadata strings of one block or batch, each stored once; entries refer to them by index.
/// Serialized as <c>uvarint count, count × (uvarint length, UTF-8 bytes)</c>.
/// </summary>
internal sealed class SymbolTable
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _symbols = [];

    public int Count => _symbols.Count;

    public string this[int id] => _symbols[id];

    public int GetOrAdd(string symbol)
    {
        if (!_ids.TryGetValue(symbol, out var id))
        {
            id = _symbols.Count;
            _ids.Add(symbol, id);
            _symbols.Add(symbol);
        }

        return id;
    }

    public void Clear()
    {
        _ids.Clear();
        _symbols.Clear();
    }

    public void WriteTo(PooledByteBuffer buffer) => buffer.Advance(WriteTo(buffer.GetSpan((int)SerializedSize)));

    /// <summary>Bytes <see cref="WriteTo(Span{byte})"/> writes.</summary>
    public long SerializedSize
    {
        get
        {
            long size = VarInt.Size((ulong)_symbols.Count);
            foreach (var symbol in _symbols)
            {
                var bytes = Encoding.UTF8.GetByteCount(symbol);
                size += VarInt.Size((ulong)bytes) + bytes;
            }
            return size;
        }
    }

    /// <summary>Writes the table into <paramref name="destination"/> (at least <see cref="SerializedSize"/> bytes); returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var position = VarInt.Write(destination, (ulong)_symbols.Count);
        foreach (var symbol in _symbols)
        {
            position += VarInt.Write(destination[position..], (ulong)Encoding.UTF8.GetByteCount(symbol));
            position += Encoding.UTF8.GetBytes(symbol, destination[position..]);
        }
        return position;
    }

    public static string[] Read(ref ByteReader reader)
    {
        // Every symbol takes at least its length byte, which bounds the count before allocating.
        var count = reader.ReadLength("symbol count", reader.Remaining);
        var symbols = count == 0 ? [] : new string[count];
        for (var i = 0; i < symbols.Length; i++)
        {
            var length = reader.ReadLength("symbol length", reader.Remaining);
            symbols[i] = reader.ReadUtf8String(length, "symbol");
        }

        return symbols;
    }

    /// <summary>Reads <c>uvarint pairCount, pairCount × (uvarint nameId, uvarint valueId)</c>; null when there are no pairs.</summary>
    public static KeyValuePair<string, string>[]? ReadPairs(ref ByteReader reader, string[] symbols) => ReadPairs(ref reader, symbols, null);

    /// <summary>As <see cref="ReadPairs(ref ByteReader, string[])"/>; single pairs are taken from and added to <paramref name="shared"/> when given.</summary>
    public static KeyValuePair<string, string>[]? ReadPairs(ref ByteReader reader, string[] symbols, Dictionary<long, KeyValuePair<string, string>[]>? shared)
    {
        var count = reader.ReadLength("metadata pair count", ChunkLimits.MaxMetadataPairs);
        if (count == 0)
        {
            return null;
        }

        if (count == 1 && shared is not null)
        {
            var nameId = reader.ReadLength("metadata name symbol", symbols.Length - 1);
            var valueId = reader.ReadLength("metadata value symbol", symbols.Length - 1);
            var key = ((long)nameId << 32) | (uint)valueId;
            if (!shared.TryGetValue(key, out var single))
            {
                shared[key] = single = [new(symbols[nameId], symbols[valueId])];
            }
            return single;
        }

        var pairs = new KeyValuePair<string, string>[count];
        var maxId = symbols.Length - 1;
        for (var i = 0; i < pairs.Length; i++)
        {
            var name = reader.ReadLength("metadata name symbol", maxId);
            var value = reader.ReadLength("metadata value symbol", maxId);
            pairs[i] = new(symbols[name], symbols[value]);
        }

        return pairs;
    }
}
