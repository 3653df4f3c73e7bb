using System.Text;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>A compiled Go text/template with Loki's function set (<c>missingkey=zero</c>). Compile once, execute many.</summary>
internal sealed partial class GoTemplate
{
    private readonly IReadOnlyList<TNode> _root;
    private readonly string _name;
    private readonly IReadOnlyDictionary<string, TemplateFunctions.Func>? _extra;

    private GoTemplate(IReadOnlyList<TNode> root, string name, bool usesLine, IReadOnlyDictionary<string, TemplateFunctions.Func>? extra = null)
    {
        _root = root;
        _name = name;
        UsesLine = usesLine;
        _extra = extra;
    }

    /// <summary>True when the template calls <c>__line__</c> (only then the line is decoded to a string).</summary>
    public bool UsesLine { get; }

    /// <summary>Constant text without actions (label_format "x" style).</summary>
    public string? ConstantText => _root.Count switch
    {
        0 => "",
        1 when _root[0] is TText t => t.Text,
        _ => null,
    };

    public static bool TryParse(string text, string name, out GoTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var root = TemplateParser.Parse(text, name, TemplateFunctions.Names);
            template = new GoTemplate(root, name, text.Contains("__line__", StringComparison.Ordinal));
            error = null;
            return true;
        }
        catch (TemplateException e)
        {
            template = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Parses with functions beyond Loki's set (the ruler's Prometheus functions); they win over same-named ones.</summary>
    public static bool TryParse(string text, string name, IReadOnlyDictionary<string, TemplateFunctions.Func> extra, out GoTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(extra);
        try
        {
            var names = new HashSet<string>(TemplateFunctions.Names, StringComparer.Ordinal);
            names.UnionWith(extra.Keys);
            template = new GoTemplate(TemplateParser.Parse(text, name, names), name, false, extra);
            error = null;
            return true;
        }
        catch (TemplateException e)
        {
            template = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Executes with <paramref name="root"/> as dot (maps are <c>Dictionary&lt;string, string&gt;</c> or <c>Dictionary&lt;string, object?&gt;</c>).</summary>
    public bool TryExecute(object? root, StringBuilder output, out string? error)
    {
        output.Clear();
        return Run(new TemplateContext([], "", 0, output), root, out error);
    }

    /// <summary>Executes into <paramref name="output"/> (cleared first); on failure returns false with Go-like error text.</summary>
    public bool TryExecute(Dictionary<string, string> data, string line, long timestampNs, StringBuilder output, out string? error)
    {
        output.Clear();
        return Run(new TemplateContext(data, line, timestampNs, output), data, out error);
    }

    private bool Run(TemplateContext ctx, object? dot, out string? error)
    {
        try
        {
            new Executor(ctx, _name, dot, _extra).ExecList(_root, dot);
            error = null;
            return true;
        }
        catch (TemplateException e)
        {
            error = e.Message;
            return false;
        }
    }
}
