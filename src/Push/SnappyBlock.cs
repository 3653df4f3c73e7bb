namespace Orleans.Loki.Push;

/// <summary>Checks a raw snappy block's structure without decompressing it.</summary>
internal static class SnappyBlock
{
    /// <summary>
    /// True when the elements after the preamble are well formed and produce exactly <paramref name="declared"/>
    /// bytes, every copy referring to bytes already produced. A cheap scan over the tags: a body that passes still
    /// goes through the real decoder, which checks everything again.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> block, int declared)
    {
        var i = 0;
        // Preamble: the uncompressed length as a varint (already parsed by the caller).
        while (i < block.Length && (block[i] & 0x80) != 0)
        {
            i++;
        }
        i++;
        long produced = 0;
        while (i < block.Length)
        {
            var tag = block[i++];
            long length;
            long offset;
            switch (tag & 3)
            {
                case 0:
                    length = (tag >> 2) + 1;
                    if (length > 60)
                    {
                        var extra = (int)length - 60;
                        if (i + extra > block.Length)
                        {
                            return false;
                        }
                        length = 0;
                        for (var b = 0; b < extra; b++)
                        {
                            length |= (long)block[i + b] << (8 * b);
                        }
                        length++;
                        i += extra;
                    }
                    if (i + length > block.Length)
                    {
                        return false;
                    }
                    i += (int)length;
                    produced += length;
                    break;
                case 1:
                    if (i + 1 > block.Length)
                    {
                        return false;
                    }
                    length = ((tag >> 2) & 7) + 4;
                    offset = ((tag >> 5) << 8) | block[i];
                    i += 1;
                    if (offset == 0 || offset > produced)
                    {
                        return false;
                    }
                    produced += length;
                    break;
                case 2:
                    if (i + 2 > block.Length)
                    {
                        return false;
                    }
                    length = (tag >> 2) + 1;
                    offset = block[i] | (block[i + 1] << 8);
                    i += 2;
                    if (offset == 0 || offset > produced)
                    {
                        return false;
                    }
                    produced += length;
                    break;
                default:
                    if (i + 4 > block.Length)
                    {
                        return false;
                    }
                    length = (tag >> 2) + 1;
                    offset = (uint)(block[i] | (block[i + 1] << 8) | (block[i + 2] << 16) | (block[i + 3] << 24));
                    i += 4;
                    if (offset == 0 || offset > produced)
                    {
                        return false;
                    }
                    produced += length;
                    break;
            }
            if (produced > declared)
            {
                return false;
            }
        }
        return produced == declared;
    }
}
