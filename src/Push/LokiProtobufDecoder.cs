using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>Decodes Loki's push protobuf: a raw snappy block (not the framed format) of <c>logproto.PushRequest</c>.</summary>
/// <remarks>
/// The message is read straight from the wire format (field numbers in Protos/push.proto) instead of through the
/// generated classes: those allocate a <c>ByteString</c> copy of every line plus an entry, a timestamp and an empty
/// metadata list object per entry, which was a third of everything the server allocated while ingesting. Here every
/// line is a slice of the decompressed buffer, which the result owns (rented from the pool and returned when the
/// result is disposed), so a request costs one buffer and the entry lists. Semantics follow protobuf's: unknown
/// fields and known fields with an unexpected wire type are skipped, repeated fields append, a message field that
/// occurs twice is merged and a scalar that occurs twice keeps the last value.
/// </remarks>
internal static class LokiProtobufDecoder
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int StartGroup = 3;
    private const int EndGroup = 4;
    private const int Fixed32 = 5;

    /// <summary>Nesting bound for skipped groups, as protobuf's recursion limit.</summary>
    private const int MaxGroupDepth = 100;

    public static PushDecodeResult Decode(ReadOnlySpan<byte> body, long max)
    {
        // The snappy preamble declares the uncompressed length: check it before allocating anything,
        // so a body that lies about its length cannot make us reserve gigabytes.
        var declared = DeclaredLength(body);
        if (declared < 0)
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }

        if (max > 0 && declared > max)
        {
            return PushDecodeResult.TooLarge(LokiErrors.DecompressedTooLarge(declared, max));
        }

        // Walk the snappy elements first (cheap: no output is written) so that a body whose preamble declares more
        // than its elements produce, or that is corrupt further on, is refused before the output buffer is taken.
        if (!body.IsEmpty && !SnappyBlock.IsWellFormed(body, declared))
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }

        var buffer = PushBuffers.Rent(Math.Max(declared, 1));
        var owned = false;
        try
        {
            int length;
            if (body.IsEmpty)
            {
                length = 0;
            }
            else if (!Snappier.Snappy.TryDecompress(body, buffer, out length) || length != declared)
            {
                return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
            }

            var streams = new List<PushStream>();
            if (ReadPushRequest(buffer.AsMemory(0, length), streams) is { } error)
            {
                return PushDecodeResult.BadRequest(error);
            }

            owned = true;
            return PushDecodeResult.Ok(streams, buffer);
        }
        catch (InvalidDataException)
        {
            return PushDecodeResult.BadRequest(LokiErrors.SnappyCorrupt);
        }
        finally
        {
            if (!owned)
            {
                PushBuffers.Return(buffer);
            }
        }
    }

    /// <summary>The uncompressed length from the snappy preamble, or -1 when the preamble is malformed.</summary>
    private static int DeclaredLength(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return 0;
        }

        try
        {
            return Snappier.Snappy.GetUncompressedLength(body);
        }
        catch (InvalidDataException)
        {
            // Truncated or over-long varint.
            return -1;
        }
    }

    /// <summary>Reads <c>PushRequest</c>; returns the error text for the response, or null when the message is well formed.</summary>
    private static string? ReadPushRequest(ReadOnlyMemory<byte> message, List<PushStream> streams)
    {
        var reader = new WireReader(message.Span);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return reader.Error;
            }
            if (field == 1 && wireType == LengthDelimited)
            {
                if (!reader.TryReadLength(out var start, out var length))
                {
                    return reader.Error;
                }
                if (ReadStream(message.Slice(start, length), streams) is { } error)
                {
                    return error;
                }
            }
            else if (!reader.TrySkip(wireType, field))
            {
                return reader.Error;
            }
        }
        return null;
    }

    private static string? ReadStream(ReadOnlyMemory<byte> message, List<PushStream> streams)
    {
        var reader = new WireReader(message.Span);
        var labels = string.Empty;
        var entries = new List<PushEntry>(CountEntries(message.Span));
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return reader.Error;
            }
            switch (field)
            {
                case 1 when wireType == LengthDelimited:
                    if (!reader.TryReadLength(out var labelsStart, out var labelsLength))
                    {
                        return reader.Error;
                    }
                    labels = Encoding.UTF8.GetString(message.Span.Slice(labelsStart, labelsLength));
                    break;
                case 2 when wireType == LengthDelimited:
                    if (!reader.TryReadLength(out var entryStart, out var entryLength))
                    {
                        return reader.Error;
                    }
                    if (ReadEntry(message.Slice(entryStart, entryLength), entries) is { } error)
                    {
                        return error;
                    }
                    break;
                default:
                    // Includes the hash (field 3): recomputed from the canonical labels, never trusted.
                    if (!reader.TrySkip(wireType, field))
                    {
                        return reader.Error;
                    }
                    break;
            }
        }
        streams.Add(new PushStream(labels, entries));
        return null;
    }

    /// <summary>
    /// The number of entries of a stream message (a pass over its tags only), so the list is allocated once; stops at
    /// the first malformed field, which the full read then reports.
    /// </summary>
    private static int CountEntries(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        var count = 0;
        while (!reader.End && reader.TryReadTag(out var field, out var wireType) && reader.TrySkip(wireType, field))
        {
            if (field == 2 && wireType == LengthDelimited)
            {
                count++;
            }
        }
        return count;
    }

    private static string? ReadEntry(ReadOnlyMemory<byte> message, List<PushEntry> entries)
    {
        var reader = new WireReader(message.Span);
        long seconds = 0;
        var nanos = 0;
        var line = ReadOnlyMemory<byte>.Empty;
        List<KeyValuePair<string, string>>? metadata = null;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return reader.Error;
            }
            int start, length;
            switch (field)
            {
                case 1 when wireType == LengthDelimited:
                    if (!reader.TryReadLength(out start, out length))
                    {
                        return reader.Error;
                    }
                    if (!ReadTimestamp(message.Span.Slice(start, length), ref seconds, ref nanos, out var timestampWireError))
                    {
                        return timestampWireError;
                    }
                    break;
                case 2 when wireType == LengthDelimited:
                    if (!reader.TryReadLength(out start, out length))
                    {
                        return reader.Error;
                    }
                    line = message.Slice(start, length);
                    break;
                case 3 when wireType == LengthDelimited:
                    if (!reader.TryReadLength(out start, out length))
                    {
                        return reader.Error;
                    }
                    if (!ReadLabelPair(message.Span.Slice(start, length), out var pair, out var pairError))
                    {
                        return pairError;
                    }
                    (metadata ??= []).Add(pair);
                    break;
                default:
                    if (!reader.TrySkip(wireType, field))
                    {
                        return reader.Error;
                    }
                    break;
            }
        }

        if (!Timestamps.TryFromSecondsAndNanos(seconds, nanos, out var timestamp, out var timestampError))
        {
            // Not a wire error: the text for a timestamp outside the representable range has no "proto:" prefix.
            return timestampError;
        }
        entries.Add(new PushEntry(timestamp, line, metadata?.ToArray()));
        return null;
    }

    /// <summary>Merges a <c>google.protobuf.Timestamp</c> into <paramref name="seconds"/> and <paramref name="nanos"/>.</summary>
    private static bool ReadTimestamp(ReadOnlySpan<byte> message, ref long seconds, ref int nanos, out string? error)
    {
        var reader = new WireReader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = reader.Error;
                return false;
            }
            if (field is 1 or 2 && wireType == Varint)
            {
                if (!reader.TryReadVarint(out var value))
                {
                    error = reader.Error;
                    return false;
                }
                if (field == 1)
                {
                    seconds = (long)value;
                }
                else
                {
                    // int32 fields carry negative values sign-extended to 64 bits; the low 32 bits are the value.
                    nanos = (int)value;
                }
            }
            else if (!reader.TrySkip(wireType, field))
            {
                error = reader.Error;
                return false;
            }
        }
        error = null;
        return true;
    }

    private static bool ReadLabelPair(ReadOnlySpan<byte> message, out KeyValuePair<string, string> pair, out string? error)
    {
        var reader = new WireReader(message);
        var name = string.Empty;
        var value = string.Empty;
        pair = default;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = reader.Error;
                return false;
            }
            if (field is 1 or 2 && wireType == LengthDelimited)
            {
                if (!reader.TryReadLength(out var start, out var length))
                {
                    error = reader.Error;
                    return false;
                }
                var text = Encoding.UTF8.GetString(message.Slice(start, length));
                if (field == 1)
                {
                    name = text;
                }
                else
                {
                    value = text;
                }
            }
            else if (!reader.TrySkip(wireType, field))
            {
                error = reader.Error;
                return false;
            }
        }
        pair = new KeyValuePair<string, string>(name, value);
        error = null;
        return true;
    }

    /// <summary>Reads protobuf wire-format primitives from a span; on failure <see cref="Error"/> says why.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool End => _position >= _data.Length;

        public string? Error { get; set; }

        public bool TryReadTag(out int field, out int wireType)
        {
            field = 0;
            wireType = 0;
            if (!TryReadVarint(out var tag))
            {
                return false;
            }
            if (tag >> 3 is 0 or > int.MaxValue >> 3)
            {
                Error = $"proto: invalid field number {tag >> 3}";
                return false;
            }
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    Error = "proto: unexpected EOF";
                    return false;
                }
                var b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }
            Error = "proto: integer overflow";
            return false;
        }

        /// <summary>Reads the length of a length-delimited field and steps over its bytes.</summary>
        public bool TryReadLength(out int start, out int length)
        {
            start = 0;
            length = 0;
            if (!TryReadVarint(out var declared))
            {
                return false;
            }
            if (declared > (ulong)(_data.Length - _position))
            {
                Error = "proto: unexpected EOF";
                return false;
            }
            start = _position;
            length = (int)declared;
            _position += length;
            return true;
        }

        public bool TrySkip(int wireType, int field, int depth = 0)
        {
            switch (wireType)
            {
                case Varint:
                    return TryReadVarint(out _);
                case Fixed64:
                    return TryAdvance(8);
                case Fixed32:
                    return TryAdvance(4);
                case LengthDelimited:
                    return TryReadLength(out _, out _);
                case StartGroup:
                    if (depth >= MaxGroupDepth)
                    {
                        Error = "proto: exceeded maximum recursion depth";
                        return false;
                    }
                    while (true)
                    {
                        if (End)
                        {
                            Error = "proto: unexpected EOF";
                            return false;
                        }
                        if (!TryReadTag(out var inner, out var innerType))
                        {
                            return false;
                        }
                        if (innerType == EndGroup)
                        {
                            if (inner != field)
                            {
                                Error = "proto: mismatched end group";
                                return false;
                            }
                            return true;
                        }
                        if (!TrySkip(innerType, inner, depth + 1))
                        {
                            return false;
                        }
                    }
                default:
                    Error = wireType == EndGroup ? "proto: unexpected end group" : $"proto: illegal wireType {wireType}";
                    return false;
            }
        }

        private bool TryAdvance(int count)
        {
            if (_data.Length - _position < count)
            {
                Error = "proto: unexpected EOF";
                return false;
            }
            _position += count;
            return true;
        }
    }
}
