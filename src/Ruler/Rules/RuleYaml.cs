using System.Globalization;
using Orleans.Loki.LogQL.Syntax;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Orleans.Loki.Model;

namespace Orleans.Loki.Ruler.Rules;

/// <summary>
/// Prometheus' rule file format (<c>rulefmt</c>) with LogQL expressions, read strictly as Loki reads rule files
/// (<c>KnownFields(true)</c>: an unknown key is an error with yaml.v3's text) and written as <c>rulefmt</c> marshals it
/// (zero fields omitted). <c>keep_firing_for</c> is kept and evaluated (Loki drops it).
/// </summary>
public static class RuleYaml
{
    /// <summary>A rule file (<c>groups: [...]</c>) of namespace <paramref name="ns"/>; decode errors, then validation errors.</summary>
    public static bool TryParseFile(string yaml, string ns, out List<RuleGroupDesc> groups, out List<string> errors)
    {
        groups = [];
        errors = [];
        YamlNode? root;
        try
        {
            root = Load(yaml);
        }
        catch (YamlException e)
        {
            errors.Add($"yaml: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
            return false;
        }
        if (root is null or YamlScalarNode { Value: null or "" })
        {
            return true;
        }
        var unmarshal = new List<string>();
        if (root is not YamlMappingNode map)
        {
            errors.Add($"yaml: unmarshal errors:\n  line {root.Start.Line}: cannot unmarshal {Kind(root)} into Go value of type rulefmt.RuleGroups");
            return false;
        }
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            if (key != "groups")
            {
                unmarshal.Add($"line {k.Start.Line}: field {key} not found in type rulefmt.RuleGroups");
                continue;
            }
            if (v is YamlSequenceNode seq)
            {
                foreach (var g in seq.Children)
                {
                    if (ReadGroup(g, ns, unmarshal) is { } group)
                    {
                        groups.Add(group);
                    }
                }
            }
            else if (v is not YamlScalarNode { Value: null or "" })
            {
                unmarshal.Add($"line {v.Start.Line}: cannot unmarshal {Kind(v)} into Go struct field RuleGroups.groups of type []rulefmt.RuleGroup");
            }
        }
        if (unmarshal.Count > 0)
        {
            errors.Add("yaml: unmarshal errors:\n  " + string.Join("\n  ", unmarshal));
            return false;
        }
        errors.AddRange(Validate(groups));
        return errors.Count == 0;
    }

    /// <summary>One group (the body of <c>POST /loki/api/v1/rules/{namespace}</c>).</summary>
    public static bool TryParseGroup(string yaml, string ns, out RuleGroupDesc? group, out string? decodeError, out List<string> errors)
    {
        group = null;
        decodeError = null;
        errors = [];
        YamlNode? root;
        try
        {
            root = Load(yaml);
        }
        catch (YamlException e)
        {
            decodeError = $"yaml: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}";
            return false;
        }
        if (root is null)
        {
            root = new YamlMappingNode();
        }
        var unmarshal = new List<string>();
        group = ReadGroup(root, ns, unmarshal);
        if (unmarshal.Count > 0 || group is null)
        {
            decodeError = "yaml: unmarshal errors:\n  " + string.Join("\n  ", unmarshal);
            group = null;
            return false;
        }
        errors.AddRange(Validate([group]));
        return errors.Count == 0;
    }

    /// <summary>Loki's <c>ValidateGroups</c> with Prometheus' template checks; texts as Loki's.</summary>
    public static List<string> Validate(IReadOnlyList<RuleGroupDesc> groups)
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            if (g.Name.Length == 0)
            {
                errors.Add($"group {i}: Groupname must not be empty");
            }
            if (!seen.Add(g.Name))
            {
                errors.Add($"groupname: \"{g.Name}\" is repeated in the same file");
            }
            foreach (var r in g.Rules)
            {
                if (ValidateRule(r, g.Name) is { } error)
                {
                    errors.Add(error);
                }
            }
        }
        return errors;
    }

    private static string? ValidateRule(RuleDesc r, string group)
    {
        if (r.Record.Length > 0 && r.Alert.Length > 0)
        {
            return "only one of 'record' and 'alert' must be set";
        }
        if (r.Record.Length == 0 && r.Alert.Length == 0)
        {
            return "one of 'record' or 'alert' must be set";
        }
        if (r.Expr.Length == 0)
        {
            return "field 'expr' must be set in rule";
        }
        if (!LogQLParser.TryParse(r.Expr, out _, out var parseError))
        {
            return $"could not parse expression for {(r.Record.Length > 0 ? "record" : "alert")} '{r.Name}' in group '{group}': {parseError.Message}";
        }
        if (r.Record.Length > 0)
        {
            if (r.Annotations.Count > 0)
            {
                return "invalid field 'annotations' in recording rule";
            }
            if (r.For != TimeSpan.Zero)
            {
                return "invalid field 'for' in recording rule";
            }
            if (r.KeepFiringFor != TimeSpan.Zero)
            {
                return "invalid field 'keep_firing_for' in recording rule";
            }
            if (!IsMetricName(r.Record))
            {
                return $"invalid recording rule name: {r.Record}";
            }
        }
        foreach (var (k, _) in r.Labels)
        {
            if (!IsLabelName(k) || k == "__name__")
            {
                return $"invalid label name: {k}";
            }
        }
        foreach (var (k, _) in r.Annotations)
        {
            if (!IsLabelName(k))
            {
                return $"invalid annotation name: {k}";
            }
        }
        if (r.IsAlert)
        {
            foreach (var (k, v) in r.Labels)
            {
                if (!LogQL.Log.Template.AlertTemplate.TryParse(v, "__alert_" + r.Alert, out _, out var error))
                {
                    return $"label \"{k}\": {error}";
                }
            }
            foreach (var (k, v) in r.Annotations)
            {
                if (!LogQL.Log.Template.AlertTemplate.TryParse(v, "__alert_" + r.Alert, out _, out var error))
                {
                    return $"annotation \"{k}\": {error}";
                }
            }
        }
        return null;
    }

    public static bool IsLabelName(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsMetricName(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] is '_' or ':'))
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            {
                return false;
            }
        }
        return true;
    }

    private static YamlNode? Load(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static RuleGroupDesc? ReadGroup(YamlNode node, string ns, List<string> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add($"line {node.Start.Line}: cannot unmarshal {Kind(node)} into Go value of type rulefmt.RuleGroup");
            return null;
        }
        var group = new RuleGroupDesc { Namespace = ns };
        var rules = new List<RuleDesc>();
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            switch (key)
            {
                case "name":
                    group = group with { Name = Str(v, "RuleGroup.name", errors) };
                    break;
                case "interval":
                    group = group with { Interval = Duration(v, errors) };
                    break;
                case "query_offset":
                    group = group with { QueryOffset = Duration(v, errors) };
                    break;
                case "limit":
                    var text = Str(v, "RuleGroup.limit", errors);
                    if (text.Length > 0 && !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit))
                    {
                        errors.Add($"line {v.Start.Line}: cannot unmarshal !!str `{text}` into int");
                    }
                    else
                    {
                        group = group with { Limit = text.Length == 0 ? 0 : int.Parse(text, CultureInfo.InvariantCulture) };
                    }
                    break;
                case "rules":
                    if (v is YamlSequenceNode seq)
                    {
                        foreach (var r in seq.Children)
                        {
                            if (ReadRule(r, errors) is { } rule)
                            {
                                rules.Add(rule);
                            }
                        }
                    }
                    else if (v is not YamlScalarNode { Value: null or "" })
                    {
                        errors.Add($"line {v.Start.Line}: cannot unmarshal {Kind(v)} into Go struct field RuleGroup.rules of type []rulefmt.RuleNode");
                    }
                    break;
                default:
                    errors.Add($"line {k.Start.Line}: field {key} not found in type rulefmt.RuleGroup");
                    break;
            }
        }
        return group with { Rules = rules };
    }

    private static RuleDesc? ReadRule(YamlNode node, List<string> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add($"line {node.Start.Line}: cannot unmarshal {Kind(node)} into Go value of type rulefmt.RuleNode");
            return null;
        }
        var rule = new RuleDesc();
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            rule = key switch
            {
                "alert" => rule with { Alert = Str(v, "RuleNode.alert", errors) },
                "record" => rule with { Record = Str(v, "RuleNode.record", errors) },
                "expr" => rule with { Expr = Str(v, "RuleNode.expr", errors) },
                "for" => rule with { For = Duration(v, errors) },
                "keep_firing_for" => rule with { KeepFiringFor = Duration(v, errors) },
                "labels" => rule with { Labels = Map(v, "RuleNode.labels", errors) },
                "annotations" => rule with { Annotations = Map(v, "RuleNode.annotations", errors) },
                _ => Unknown(rule, k, key, errors),
            };
        }
        return rule;
    }

    private static RuleDesc Unknown(RuleDesc rule, YamlNode k, string key, List<string> errors)
    {
        errors.Add($"line {k.Start.Line}: field {key} not found in type rulefmt.RuleNode");
        return rule;
    }

    private static string Str(YamlNode v, string field, List<string> errors)
    {
        if (v is YamlScalarNode s)
        {
            return s.Value ?? "";
        }
        errors.Add($"line {v.Start.Line}: cannot unmarshal {Kind(v)} into Go struct field {field} of type string");
        return "";
    }

    private static TimeSpan Duration(YamlNode v, List<string> errors)
    {
        if (v is not YamlScalarNode { Value: var text })
        {
            errors.Add($"line {v.Start.Line}: cannot unmarshal {Kind(v)} into model.Duration");
            return TimeSpan.Zero;
        }
        if (string.IsNullOrEmpty(text))
        {
            return TimeSpan.Zero;
        }
        if (!GoDuration.TryParsePrometheus(text, out var ns, out _))
        {
            errors.Add($"line {v.Start.Line}: not a valid duration string: \"{text}\"");
            return TimeSpan.Zero;
        }
        return TimeSpan.FromTicks(ns / 100);
    }

    private static Dictionary<string, string> Map(YamlNode v, string field, List<string> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (v is YamlScalarNode { Value: null or "" })
        {
            return result;
        }
        if (v is not YamlMappingNode map)
        {
            errors.Add($"line {v.Start.Line}: cannot unmarshal {Kind(v)} into Go struct field {field} of type map[string]string");
            return result;
        }
        foreach (var (k, val) in map.Children)
        {
            result[((YamlScalarNode)k).Value ?? ""] = Str(val, field, errors);
        }
        return result;
    }

    private static string Kind(YamlNode node) => node switch
    {
        YamlSequenceNode => "!!seq",
        YamlMappingNode => "!!map",
        _ => "!!str",
    };

    // ---- output ----

    /// <summary>One group as YAML (<c>GET /loki/api/v1/rules/{namespace}/{group}</c>).</summary>
    public static string FormatGroup(RuleGroupDesc group) => Save(GroupNode(group));

    /// <summary>Namespaces to their groups (<c>GET /loki/api/v1/rules</c>): <c>{namespace: [group...]}</c>, namespaces sorted.</summary>
    public static string FormatNamespaces(IEnumerable<RuleGroupDesc> groups)
    {
        var root = new YamlMappingNode();
        foreach (var ns in groups.GroupBy(g => g.Namespace).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var list = new YamlSequenceNode();
            foreach (var g in ns)
            {
                list.Add(GroupNode(g));
            }
            root.Add(Scalar(ns.Key), list);
        }
        return Save(root);
    }

    /// <summary>A rule file of one namespace (<c>groups: [...]</c>), the object-store and local-file form.</summary>
    public static string FormatFile(IEnumerable<RuleGroupDesc> groups)
    {
        var list = new YamlSequenceNode();
        foreach (var g in groups)
        {
            list.Add(GroupNode(g));
        }
        return Save(new YamlMappingNode { { "groups", list } });
    }

    private static YamlMappingNode GroupNode(RuleGroupDesc g)
    {
        var node = new YamlMappingNode { { "name", Scalar(g.Name) } };
        if (g.Interval > TimeSpan.Zero)
        {
            node.Add("interval", GoDuration.FormatPrometheus(g.Interval.Ticks * 100));
        }
        if (g.QueryOffset > TimeSpan.Zero)
        {
            node.Add("query_offset", GoDuration.FormatPrometheus(g.QueryOffset.Ticks * 100));
        }
        if (g.Limit != 0)
        {
            node.Add("limit", g.Limit.ToString(CultureInfo.InvariantCulture));
        }
        var rules = new YamlSequenceNode();
        foreach (var r in g.Rules)
        {
            var rn = new YamlMappingNode();
            if (r.Record.Length > 0)
            {
                rn.Add("record", Scalar(r.Record));
            }
            if (r.Alert.Length > 0)
            {
                rn.Add("alert", Scalar(r.Alert));
            }
            rn.Add("expr", Scalar(r.Expr));
            if (r.For > TimeSpan.Zero)
            {
                rn.Add("for", GoDuration.FormatPrometheus(r.For.Ticks * 100));
            }
            if (r.KeepFiringFor > TimeSpan.Zero)
            {
                rn.Add("keep_firing_for", GoDuration.FormatPrometheus(r.KeepFiringFor.Ticks * 100));
            }
            if (r.Labels.Count > 0)
            {
                rn.Add("labels", MapNode(r.Labels));
            }
            if (r.Annotations.Count > 0)
            {
                rn.Add("annotations", MapNode(r.Annotations));
            }
            rules.Add(rn);
        }
        node.Add("rules", rules);
        return node;
    }

    private static YamlMappingNode MapNode(Dictionary<string, string> map)
    {
        var node = new YamlMappingNode();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node.Add(Scalar(k), Scalar(v));
        }
        return node;
    }

    private static YamlScalarNode Scalar(string s) => new(s)
    {
        // Multi-line expressions and templates read best as literal blocks; everything else is quoted only when needed.
        Style = s.Contains('\n') && !s.Contains("\n ", StringComparison.Ordinal) && !s.EndsWith(' ') ? ScalarStyle.Literal
            : NeedsQuotes(s) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
    };

    private static bool NeedsQuotes(string s) =>
        s.Length == 0 || s.Contains('\n') || s is "true" or "false" or "null" or "~" or "yes" or "no" ||
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Save(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a document with "...": rulefmt output has no document markers.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }
        else if (text.EndsWith("...\r\n", StringComparison.Ordinal))
        {
            text = text[..^5];
        }
        return text;
    }
}
