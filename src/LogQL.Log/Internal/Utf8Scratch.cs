using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A per-thread char buffer for running .NET regexes over UTF-8 lines without allocating per line.</summary>
internal static class Utf8Scratch
{
    [ThreadStatic]
    private static char[]? t_chars;

    public static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8)
    {
        var need = utf8.Length; // UTF-8 never decodes to more UTF-16 units than bytes
        var buf = t_chars;
        if (buf is null || buf.Length < need)
        {
            buf = new char[Math.Max(need, 1024)];
            t_chars = buf;
        }
        var n = Encoding.UTF8.GetChars(utf8, buf);
        return buf.AsSpan(0, n);
    }
}
