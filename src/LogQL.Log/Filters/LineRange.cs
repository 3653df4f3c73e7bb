namespace Orleans.Loki.LogQL.Log;

/// <summary>Where one line lies inside a shared buffer (for example a decompressed chunk block).</summary>
/// <param name="Offset">Index of the line's first byte in the buffer.</param>
/// <param name="Length">Line length in bytes.</param>
public readonly record struct LineRange(int Offset, int Length)
{
    /// <summary>Index just past the line's last byte.</summary>
    public int End => Offset + Length;
}
