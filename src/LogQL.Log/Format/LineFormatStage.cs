using System.Text;
using Orleans.Loki.LogQL.Log.Template;

namespace Orleans.Loki.LogQL.Log;

/// <summary><c>| line_format "{{.x}}"</c>: replaces the line with the rendered template; failures set <c>TemplateFormatErr</c> and keep the line.</summary>
public sealed class LineFormatStage : IStage
{
    private readonly GoTemplate _template;
    private readonly StringBuilder _output = new(256);
    private byte[] _buffer = new byte[1024];

    private LineFormatStage(GoTemplate template) => _template = template;

    public static bool TryCreate(string template, out LineFormatStage? stage, out string? error)
    {
        if (!GoTemplate.TryParse(template, "line", out var t, out var parseError))
        {
            stage = null;
            error = "invalid line template: " + parseError;
            return false;
        }
        stage = new LineFormatStage(t!);
        error = null;
        return true;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        var lineText = _template.UsesLine ? Encoding.UTF8.GetString(line) : "";
        if (!_template.TryExecute(labels.ToDictionary(), lineText, timestampNs, _output, out var error))
        {
            labels.SetError(PipelineErrors.TemplateFormat, error);
            return true;
        }
        var max = Encoding.UTF8.GetMaxByteCount(_output.Length);
        if (_buffer.Length < max)
        {
            _buffer = new byte[Math.Max(max, _buffer.Length * 2)];
        }
        var n = Encoding.UTF8.GetBytes(_output.ToString(), _buffer);
        line = _buffer.AsSpan(0, n);
        return true;
    }
}
