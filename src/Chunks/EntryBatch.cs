using System.Buffers;
using System.Buffers.Binary;

namespace Orleans.Loki.Chunks;

/// <summary>
/// An entry batch: one WAL record, and the byte[] the distributor sends to a stream grain. A WAL segment is a
/// sequence of records. Layout (see README.md): a 20-byte header (magic "OLKW", version, codec, reserved,
/// u32 payload length, u32 payload CRC-32C, u32 header CRC-32C) followed by the payload.
/// </summary>
public static class EntryBatch
{
    /// <summary>Fixed header size of every record.</summary>
    public const int HeaderSize = 20;

    private const byte Version1 = 1;

    /// <summary>Codec byte: payload stored as is (batches are small and already cheap to write).</summary>
    private const byte CodecNone = 1;

    /// <summary>"OLKW" + version + codec + two reserved zero bytes: the first 8 bytes of every v1 record.</summary>
    private static ReadOnlySpan<byte> Prefix => [(byte)'O', (byte)'L', (byte)'K', (byte)'W', Version1, CodecNone, 0, 0];

    /// <summary>Encodes <paramref name="entries"/> as one record.</summary>
    /// <exception cref="ArgumentException">An entry or the whole batch exceeds <see cref="ChunkLimits"/>.</exception>
    /// <remarks>
    /// The record's exact size is computed first, so the payload is written once, straight into the returned array
    /// (no growing buffer and no final copy: this runs for every stream of every push request).
    /// </remarks>
    public static byte[] Encode(ReadOnlySpan<LogEntry> entries)
    {
        var (symbols, payloadLength) = Measure(entries);
        var record = GC.AllocateUninitializedArray<byte>(HeaderSize + payloadLength);
        WriteRecord(record, entries, symbols);
        return record;
    }

    /// <summary>Collects the symbols and returns the exact payload size, checking it against the limit.</summary>
    private static (BatchSymbols Symbols, int PayloadLength) Measure(ReadOnlySpan<LogEntry> entries)
    {
        var symbols = BatchSymbols.Collect(entries);
        var payloadLength = PayloadSize(entries, symbols);
        if (payloadLength > ChunkLimits.MaxEntryBatchBytes)
        {
            throw new ArgumentException($"Entry batch of {payloadLength} bytes exceeds the limit of {ChunkLimits.MaxEntryBatchBytes}.", nameof(entries));
        }
        return (symbols, (int)payloadLength);
    }

    /// <summary>Writes header and payload into <paramref name="record"/>, exactly <see cref="HeaderSize"/> + the measured payload bytes.</summary>
    private static void WriteRecord(Span<byte> record, ReadOnlySpan<LogEntry> entries, BatchSymbols symbols)
    {
        var payload = record[HeaderSize..];
        var written = WritePayload(payload, entries, symbols);
        if (written != payload.Length)
        {
            throw new InvalidOperationException($"Entry batch payload was sized {payload.Length} bytes but {written} were written.");
        }
        WriteHeader(record[..HeaderSize], payload);
    }

    private static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> payload)
    {
        Prefix.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32C.Compute(header[..16]));
    }

    /// <inheritdoc cref="Encode(ReadOnlySpan{LogEntry})"/>
    public static void Encode(IBufferWriter<byte> writer, ReadOnlySpan<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var (symbols, payloadLength) = Measure(entries);
        var length = HeaderSize + payloadLength;
        WriteRecord(writer.GetSpan(length)[..length], entries, symbols);
        writer.Advance(length);
    }

    /// <summary>Decodes exactly one record. Lines slice <paramref name="record"/>, which must not change afterwards.</summary>
    /// <exception cref="InvalidChunkException">Bad magic, version, checksum, truncation or trailing bytes.</exception>
    public static List<LogEntry> Decode(ReadOnlyMemory<byte> record)
    {
        var entries = new List<LogEntry>();
        var span = record.Span;
        if (span.Length < HeaderSize)
        {
            throw new InvalidChunkException($"entry batch: {span.Length} bytes is shorter than the {HeaderSize}-byte header", 0);
        }

        var payloadLength = ReadHeader(span, 0);
        if (span.Length - HeaderSize < payloadLength)
        {
            throw new InvalidChunkException($"entry batch: truncated payload ({span.Length - HeaderSize} of {payloadLength} bytes)", HeaderSize);
        }

        if (span.Length - HeaderSize > payloadLength)
        {
            throw new InvalidChunkException($"entry batch: {span.Length - HeaderSize - payloadLength} trailing bytes after the record", HeaderSize + payloadLength);
        }

        ReadPayload(record, 0, payloadLength, entries);
        return entries;
    }

    /// <summary>
    /// Reads consecutive records of a WAL segment. An incomplete last record (a prefix of a record, or a zero-filled
    /// tail, as a crash during an append leaves) is ignored and reported as <see cref="WalSegmentReadResult.TornTail"/>.
    /// </summary>
    /// <exception cref="InvalidChunkException">A complete record fails its checksum or is malformed.</exception>
    public static WalSegmentReadResult ReadSegment(ReadOnlyMemory<byte> segment)
    {
        var entries = new List<LogEntry>();
        var span = segment.Span;
        var position = 0;
        var records = 0;
        while (position < span.Length)
        {
            var rest = span[position..];
            if (rest.Length < HeaderSize)
            {
                if (IsTornHeader(rest))
                {
                    return new WalSegmentReadResult(entries, records, true, position);
                }

                throw new InvalidChunkException($"WAL segment: {rest.Length} trailing bytes are not the start of a record", position);
            }

            if (!rest[..Prefix.Length].SequenceEqual(Prefix) && !rest.ContainsAnyExcept((byte)0))
            {
                return new WalSegmentReadResult(entries, records, true, position);
            }

            var payloadLength = ReadHeader(rest, position);
            if (rest.Length - HeaderSize < payloadLength)
            {
                return new WalSegmentReadResult(entries, records, true, position);
            }

            ReadPayload(segment, position, payloadLength, entries);
            position += HeaderSize + payloadLength;
            records++;
        }

        return new WalSegmentReadResult(entries, records, false, position);
    }

    private static bool IsTornHeader(ReadOnlySpan<byte> rest)
    {
        var fixedPart = Math.Min(rest.Length, Prefix.Length);
        return rest[..fixedPart].SequenceEqual(Prefix[..fixedPart]) || !rest.ContainsAnyExcept((byte)0);
    }

    /// <summary>Validates the header at the start of <paramref name="span"/> and returns the payload length.</summary>
    private static int ReadHeader(ReadOnlySpan<byte> span, long offset)
    {
        if (!span[..4].SequenceEqual(Prefix[..4]))
        {
            throw new InvalidChunkException($"entry batch: bad magic 0x{BinaryPrimitives.ReadUInt32BigEndian(span):x8}", offset);
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        var actual = Crc32C.Compute(span[..16]);
        if (expected != actual)
        {
            throw new InvalidChunkException($"entry batch: header checksum mismatch (expected 0x{expected:x8}, actual 0x{actual:x8})", offset);
        }

        if (span[4] != Version1)
        {
            throw new InvalidChunkException($"entry batch: unsupported version {span[4]}", offset + 4);
        }

        if (span[5] != CodecNone)
        {
            throw new InvalidChunkException($"entry batch: unsupported codec {span[5]}", offset + 5);
        }

        if (span[6] != 0 || span[7] != 0)
        {
            throw new InvalidChunkException("entry batch: reserved bytes are not zero", offset + 6);
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        if (length > ChunkLimits.MaxEntryBatchBytes)
        {
            throw new InvalidChunkException($"entry batch: payload length {length} exceeds the limit {ChunkLimits.MaxEntryBatchBytes}", offset + 8);
        }

        return (int)length;
    }

    /// <summary>
    /// The symbol table of a batch and the encoded pair ids of each distinct metadata array. Entries usually share a
    /// few metadata arrays (the validator gives every entry of a push with the same detected level the same array),
    /// so ids are looked up by array reference: one reference comparison per entry instead of hashing the name and
    /// value strings in each of the three passes (collect, size, write).
    /// </summary>
    private sealed class BatchSymbols
    {
        /// <summary>Ids of the arrays seen before the last one; created when a second distinct array appears.</summary>
        private Dictionary<KeyValuePair<string, string>[], ulong[]>? _ids;
        private KeyValuePair<string, string>[]? _lastPairs;
        private ulong[] _lastIds = [];

        public SymbolTable Table { get; } = new();

        /// <summary>Checks the per-entry limits and numbers every metadata name and value in first-seen order.</summary>
        public static BatchSymbols Collect(ReadOnlySpan<LogEntry> entries)
        {
            var symbols = new BatchSymbols();
            foreach (ref readonly var entry in entries)
            {
                if (entry.Line.Length > ChunkLimits.MaxLineBytes)
                {
                    throw new ArgumentException($"Line of {entry.Line.Length} bytes exceeds the limit of {ChunkLimits.MaxLineBytes}.", nameof(entries));
                }

                if (entry.Metadata is { } pairs)
                {
                    if (pairs.Length > ChunkLimits.MaxMetadataPairs)
                    {
                        throw new ArgumentException($"{pairs.Length} metadata pairs exceed the limit of {ChunkLimits.MaxMetadataPairs}.", nameof(entries));
                    }
                    symbols.IdsOf(pairs);
                }
            }
            return symbols;
        }

        /// <summary>Name and value symbol ids of <paramref name="pairs"/>, interleaved.</summary>
        public ulong[] IdsOf(KeyValuePair<string, string>[] pairs)
        {
            if (ReferenceEquals(pairs, _lastPairs))
            {
                return _lastIds;
            }
            if (_lastPairs is not null)
            {
                _ids ??= new Dictionary<KeyValuePair<string, string>[], ulong[]>(ReferenceEqualityComparer.Instance);
                _ids.TryAdd(_lastPairs, _lastIds);
            }
            if (_ids is null || !_ids.TryGetValue(pairs, out var ids))
            {
                ids = new ulong[pairs.Length * 2];
                for (var i = 0; i < pairs.Length; i++)
                {
                    ids[2 * i] = (ulong)Table.GetOrAdd(pairs[i].Key);
                    ids[(2 * i) + 1] = (ulong)Table.GetOrAdd(pairs[i].Value);
                }
            }
            _lastPairs = pairs;
            _lastIds = ids;
            return ids;
        }
    }

    private static long PayloadSize(ReadOnlySpan<LogEntry> entries, BatchSymbols symbols)
    {
        long size = VarInt.Size((ulong)entries.Length) + symbols.Table.SerializedSize;
        long previous = 0;
        foreach (ref readonly var entry in entries)
        {
            size += VarInt.Size(VarInt.ZigZag(unchecked(entry.TimestampNs - previous)));
            previous = entry.TimestampNs;
            size += VarInt.Size((ulong)entry.Line.Length) + entry.Line.Length;
            var pairs = entry.Metadata;
            size += VarInt.Size((ulong)(pairs?.Length ?? 0));
            if (pairs is not null)
            {
                foreach (var id in symbols.IdsOf(pairs))
                {
                    size += VarInt.Size(id);
                }
            }
        }
        return size;
    }

    /// <summary>Writes the payload into <paramref name="destination"/> (at least <see cref="PayloadSize"/> bytes); returns the bytes written.</summary>
    private static int WritePayload(Span<byte> destination, ReadOnlySpan<LogEntry> entries, BatchSymbols symbols)
    {
        var position = VarInt.Write(destination, (ulong)entries.Length);
        position += symbols.Table.WriteTo(destination[position..]);
        long previous = 0;
        foreach (ref readonly var entry in entries)
        {
            position += VarInt.Write(destination[position..], VarInt.ZigZag(unchecked(entry.TimestampNs - previous)));
            previous = entry.TimestampNs;
            var line = entry.Line.Span;
            position += VarInt.Write(destination[position..], (ulong)line.Length);
            line.CopyTo(destination[position..]);
            position += line.Length;
            var pairs = entry.Metadata;
            position += VarInt.Write(destination[position..], (ulong)(pairs?.Length ?? 0));
            if (pairs is not null)
            {
                foreach (var id in symbols.IdsOf(pairs))
                {
                    position += VarInt.Write(destination[position..], id);
                }
            }
        }
        return position;
    }

    private static void ReadPayload(ReadOnlyMemory<byte> source, int recordOffset, int payloadLength, List<LogEntry> entries)
    {
        var payloadOffset = recordOffset + HeaderSize;
        var payload = source.Slice(payloadOffset, payloadLength);
        var header = source.Span.Slice(recordOffset, HeaderSize);
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        var actual = Crc32C.Compute(payload.Span);
        if (expected != actual)
        {
            throw new InvalidChunkException($"entry batch: payload checksum mismatch (expected 0x{expected:x8}, actual 0x{actual:x8})", payloadOffset);
        }

        var reader = new ByteReader(payload.Span, payloadOffset, "entry batch payload");

        // Every entry takes at least 3 bytes (timestamp, line length, pair count).
        var count = reader.ReadLength("entry count", reader.Remaining / 3);
        var symbols = SymbolTable.Read(ref reader);
        entries.EnsureCapacity(entries.Count + count);
        // Batches repeat a few metadata sets (typically just detected_level) over thousands of entries: decode each
        // distinct one once. The arrays are shared, which is safe because entries' metadata is never modified.
        var shared = symbols.Length == 0 ? null : new Dictionary<long, KeyValuePair<string, string>[]>();
        long ts = 0;
        for (var i = 0; i < count; i++)
        {
            ts = unchecked(ts + reader.ReadVarint("timestamp delta"));
            var length = reader.ReadLength("line length", Math.Min(reader.Remaining, ChunkLimits.MaxLineBytes));
            var lineOffset = reader.Position;
            reader.ReadBytes(length, "line");
            var pairs = SymbolTable.ReadPairs(ref reader, symbols, shared);
            entries.Add(new LogEntry(ts, payload.Slice(lineOffset, length), pairs));
        }

        reader.ExpectEnd();
    }
}
