using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Log;

/// <summary><c>| decolorize</c>: strips ANSI colour/escape sequences from the line.</summary>
public sealed partial class DecolorizeStage : IStage
{
    private byte[] _buffer = new byte[1024];

    [GeneratedRegex("[\u001B\u009B][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))", RegexOptions.CultureInvariant)]
    private static partial Regex AnsiRegex();

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        // fast path: no ESC (0x1B) and no CSI (U+009B, UTF-8 C2 9B) means nothing to strip
        if (line.IndexOf((byte)0x1B) < 0 && line.IndexOf([(byte)0xC2, (byte)0x9B]) < 0)
        {
            return true;
        }
        var text = Encoding.UTF8.GetString(line);
        var stripped = AnsiRegex().Replace(text, "");
        var max = Encoding.UTF8.GetMaxByteCount(stripped.Length);
        if (_buffer.Length < max)
        {
            _buffer = new byte[max];
        }
        var n = Encoding.UTF8.GetBytes(stripped, _buffer);
        line = _buffer.AsSpan(0, n);
        return true;
    }
}
