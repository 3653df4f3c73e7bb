using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>An item of <c>drop</c>/<c>keep</c>: a bare label name or a matcher (<c>level="debug"</c>).</summary>
public sealed record NamedLabelMatcher(string Name, LabelMatcher? Matcher);
