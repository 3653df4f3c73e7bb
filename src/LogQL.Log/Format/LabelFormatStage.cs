using System.Text;
using Orleans.Loki.LogQL.Log.Template;

namespace Orleans.Loki.LogQL.Log;

/// <summary>One <c>label_format</c> entry: <c>dst="{{template}}"</c> or the rename <c>dst=src</c>.</summary>
public sealed record LabelFormat(string Name, string Value, bool Rename)
{
    public static LabelFormat Template(string name, string template) => new(name, template, false);

    public static LabelFormat RenameFrom(string name, string source) => new(name, source, true);
}

/// <summary><c>| label_format a="{{.b}}", c=d</c>. Each label may be named once per stage; <c>__error__</c> cannot be formatted.</summary>
public sealed class LabelFormatStage : IStage
{
    private readonly (LabelFormat Format, GoTemplate? Template)[] _formats;
    private readonly StringBuilder _output = new(64);
    private readonly bool _usesLine;

    private LabelFormatStage((LabelFormat, GoTemplate?)[] formats)
    {
        _formats = formats;
        _usesLine = formats.Any(f => f.Item2?.UsesLine == true);
    }

    public static bool TryCreate(IReadOnlyList<LabelFormat> formats, out LabelFormatStage? stage, out string? error)
    {
        ArgumentNullException.ThrowIfNull(formats);
        stage = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new (LabelFormat, GoTemplate?)[formats.Count];
        for (var i = 0; i < formats.Count; i++)
        {
            var f = formats[i];
            if (f.Name == PipelineErrors.ErrorLabel)
            {
                error = $"{f.Name} cannot be formatted";
                return false;
            }
            if (!seen.Add(f.Name))
            {
                error = $"multiple label name '{f.Name}' not allowed in a single format operation";
                return false;
            }
            GoTemplate? t = null;
            if (!f.Rename && !GoTemplate.TryParse(f.Value, "label", out t, out var parseError))
            {
                error = $"invalid template for label '{f.Name}': {parseError}";
                return false;
            }
            compiled[i] = (f, t);
        }
        error = null;
        stage = new LabelFormatStage(compiled);
        return true;
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        Dictionary<string, string>? data = null;
        string? lineText = null;
        foreach (var (format, template) in _formats)
        {
            if (format.Rename)
            {
                if (labels.TryGet(format.Value, out var v))
                {
                    labels.Set(LabelCategory.Parsed, format.Name, v);
                    labels.Delete(format.Value);
                }
                continue;
            }
            var constant = template!.ConstantText;
            if (constant is not null)
            {
                labels.Set(LabelCategory.Parsed, format.Name, constant);
                continue;
            }
            // Loki renders every template of the stage against the labels as they were when the stage started
            data ??= labels.ToDictionary();
            lineText ??= _usesLine ? Encoding.UTF8.GetString(line) : "";
            if (!template.TryExecute(data, lineText, timestampNs, _output, out var error))
            {
                labels.SetError(PipelineErrors.TemplateFormat, error);
                continue;
            }
            labels.Set(LabelCategory.Parsed, format.Name, _output.ToString());
        }
        return true;
    }
}
