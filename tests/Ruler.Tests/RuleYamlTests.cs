using Orleans.Loki.Ruler.Rules;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>The rule file format: strict decoding, Loki's validation texts, YAML out as rulefmt writes it.</summary>
public sealed class RuleYamlTests
{
    private const string File = """
        groups:
          - name: errors
            interval: 30s
            limit: 10
            rules:
              - alert: TooManyErrors
                expr: sum(count_over_time({app="x"} |= "error" [1m])) > 5
                for: 2m
                keep_firing_for: 1m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.app }} has {{ $value }} errors"
              - record: app:errors:rate1m
                expr: sum by (app) (rate({app="x"} |= "error" [1m]))
                labels:
                  team: a
        """;

    [Fact]
    public void File_WithAllFields_ParsesEveryField()
    {
        Assert.True(RuleYaml.TryParseFile(File, "ns.yaml", out var groups, out var errors), string.Join("; ", errors));
        var g = Assert.Single(groups);
        Assert.Equal(("ns.yaml", "errors", TimeSpan.FromSeconds(30), 10), (g.Namespace, g.Name, g.Interval, g.Limit));
        Assert.Equal(2, g.Rules.Count);
        var alert = g.Rules[0];
        Assert.Equal("TooManyErrors", alert.Alert);
        Assert.Equal(TimeSpan.FromMinutes(2), alert.For);
        Assert.Equal(TimeSpan.FromMinutes(1), alert.KeepFiringFor);
        Assert.Equal("page", alert.Labels["severity"]);
        Assert.Equal("{{ $labels.app }} has {{ $value }} errors", alert.Annotations["summary"]);
        Assert.Equal("app:errors:rate1m", g.Rules[1].Record);
        Assert.Equal("a", g.Rules[1].Labels["team"]);
    }

    [Fact]
    public void Group_FormattedAndParsedAgain_IsUnchanged()
    {
        Assert.True(RuleYaml.TryParseFile(File, "ns.yaml", out var groups, out _));
        var text = RuleYaml.FormatFile(groups);
        Assert.True(RuleYaml.TryParseFile(text, "ns.yaml", out var again, out var errors), text + string.Join("; ", errors));
        Assert.Equal(RuleYaml.FormatGroup(groups[0]), RuleYaml.FormatGroup(again[0]));
        Assert.Equal(groups[0].Fingerprint(), again[0].Fingerprint());
        Assert.Contains("keep_firing_for: 1m", text, StringComparison.Ordinal);
        Assert.Contains("interval: 30s", text, StringComparison.Ordinal);
        Assert.DoesNotContain("query_offset", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: 'sum(rate({a=\"b\"}[1m]))'\n        severity: x\n", "field severity not found in type rulefmt.RuleNode")]
    [InlineData("groups:\n  - name: g\n    evaluation: 1m\n    rules: []\n", "field evaluation not found in type rulefmt.RuleGroup")]
    [InlineData("group:\n  - name: g\n", "field group not found in type rulefmt.RuleGroups")]
    [InlineData("groups:\n  - name: g\n    interval: often\n    rules: []\n", "not a valid duration string: \"often\"")]
    public void File_WithUnknownKeyOrBadValue_IsRejected(string yaml, string expected)
    {
        Assert.False(RuleYaml.TryParseFile(yaml, "ns", out _, out var errors));
        Assert.Contains(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: ''\nrules: []\n", "group 0: Groupname must not be empty")]
    [InlineData("name: g\nrules:\n  - alert: A\n    record: b\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n", "only one of 'record' and 'alert' must be set")]
    [InlineData("name: g\nrules:\n  - expr: 'sum(rate({a=\"b\"}[1m]))'\n", "one of 'record' or 'alert' must be set")]
    [InlineData("name: g\nrules:\n  - alert: A\n", "field 'expr' must be set in rule")]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m])'\n", "could not parse expression for alert 'A' in group 'g': parse error")]
    [InlineData("name: g\nrules:\n  - record: r\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    annotations: {a: b}\n", "invalid field 'annotations' in recording rule")]
    [InlineData("name: g\nrules:\n  - record: r\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    for: 1m\n", "invalid field 'for' in recording rule")]
    [InlineData("name: g\nrules:\n  - record: 'bad-name'\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n", "invalid recording rule name: bad-name")]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    labels: {'1x': b}\n", "invalid label name: 1x")]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    annotations: {'a-b': c}\n", "invalid annotation name: a-b")]
    [InlineData("name: g\nrules:\n  - alert: A\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n    annotations: {summary: '{{ $labels.x '}\n", "annotation \"summary\": template: __alert_A:1:")]
    public void Group_Invalid_FailsWithLokisText(string yaml, string expected)
    {
        Assert.False(RuleYaml.TryParseGroup(yaml, "ns", out _, out var decodeError, out var errors));
        Assert.Null(decodeError);
        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void File_WithRepeatedGroupName_IsRejected()
    {
        Assert.False(RuleYaml.TryParseFile("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n", "ns", out _, out var errors));
        Assert.Equal("groupname: \"g\" is repeated in the same file", Assert.Single(errors));
    }

    [Fact]
    public void Namespaces_AreFormattedAsAMapOfGroupLists()
    {
        Assert.True(RuleYaml.TryParseGroup("name: g1\nrules:\n  - record: r\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n", "b-ns", out var g1, out _, out _));
        Assert.True(RuleYaml.TryParseGroup("name: g2\nrules:\n  - record: r\n    expr: 'sum(rate({a=\"b\"}[1m]))'\n", "a-ns", out var g2, out _, out _));
        var text = RuleYaml.FormatNamespaces([g1!, g2!]);
        Assert.True(text.IndexOf("a-ns:", StringComparison.Ordinal) < text.IndexOf("b-ns:", StringComparison.Ordinal), text);
        Assert.Contains("- name: g2", text, StringComparison.Ordinal);
    }
}
