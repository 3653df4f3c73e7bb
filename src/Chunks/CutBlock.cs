namespace Orleans.Loki.Chunks;

/// <summary>A block cut from the head of a <see cref="MemChunk"/>: its index entry and its compressed bytes.</summary>
internal sealed record CutBlock(BlockMeta Meta, byte[] Compressed);
