using Orleans.Loki.LogQL.Engine;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>
/// Loki's label precedence when a name is a stream label, structured metadata and a parsed field at once (the base
/// name: stream &gt; metadata &gt; parsed; the losers spill to one <c>name_extracted</c>: parsed &gt; metadata), ip()
/// label filters, duration unwrap in Go's syntax, and the order of sorted results.
/// </summary>
public sealed class LabelSemanticsTests
{
    private const long S = 1_000_000_000;

    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    private static readonly InputStream[] s_streams =
    [
        new([P("app", "a"), P("sp", "s"), P("sm", "s"), P("tri", "s")],
            Enumerable.Range(1, 3).Select(i => new InputEntry(i * S, "sp=p mp=p tri=p", [P("mp", "m"), P("sm", "m"), P("tri", "m")])).ToList()),
        new([P("app", "ip")], [new(1 * S, "addr=\"client 10.0.0.7:80\""), new(2 * S, "addr=\"client 192.168.1.5:80\"")]),
        new([P("app", "dur")], [new(1 * S, "d=1d"), new(2 * S, "d=90m")]),
        new([P("app", "v"), P("k", "ninf")], [new(1 * S, "v=-Inf")]),
        new([P("app", "v"), P("k", "nan")], [new(1 * S, "v=NaN")]),
        new([P("app", "v"), P("k", "one")], [new(1 * S, "v=1"), new(2 * S, "v=1")]),
        new([P("app", "v"), P("k", "three")], [new(1 * S, "v=3"), new(2 * S, "v=3"), new(3 * S, "v=3")]),
    ];

    private static async Task<string[]> VectorAsync(string query)
    {
        var engine = new LogQLEngine(new InMemoryLogQuerier(s_streams), new EngineOptions());
        var r = await engine.ExecuteAsync(new QueryParams { Query = query, StartNs = 10 * S, EndNs = 10 * S, Instant = true }, CancellationToken.None);
        return [.. r.Vector!.Select(v => $"{v.LabelsString} {v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")];
    }

    [Fact]
    public async Task Colliding_names_keep_the_stream_value_and_spill_the_parsed_or_metadata_value_to_extracted()
    {
        Assert.Equal(["{app=\"a\", mp=\"m\", mp_extracted=\"p\", sm=\"s\", sm_extracted=\"m\", sp=\"s\", sp_extracted=\"p\", tri=\"s\", tri_extracted=\"p\"} 3"],
            await VectorAsync("count_over_time({app=\"a\"} | logfmt [10s])"));
        // Without a parser, metadata that collides with a stream label is under name_extracted.
        Assert.Equal(["{app=\"a\", mp=\"m\", sm=\"s\", sm_extracted=\"m\", sp=\"s\", tri=\"s\", tri_extracted=\"m\"} 3"],
            await VectorAsync("count_over_time({app=\"a\"}[10s])"));
        Assert.Equal(["{} 3"], await VectorAsync("sum(count_over_time({app=\"a\"} | logfmt | tri=\"s\" and tri_extracted=\"p\" and mp=\"m\" [10s]))"));
        Assert.Equal(["{app=\"a\", mp=\"m\", out=\"m\", sm=\"s\", sm_extracted=\"m\", sp=\"s\", tri=\"s\", tri_extracted=\"m\"} 3"],
            await VectorAsync("label_replace(count_over_time({app=\"a\"}[10s]), \"out\", \"$1\", \"sm_extracted\", \"(.*)\")"));
    }

    [Fact]
    public async Task Ip_label_filter_finds_an_address_inside_the_value()
    {
        Assert.Equal(["{addr=\"client 10.0.0.7:80\", app=\"ip\"} 1"], await VectorAsync("count_over_time({app=\"ip\"} | logfmt | addr = ip(\"10.0.0.0/8\") [10s])"));
        Assert.Equal(["{addr=\"client 192.168.1.5:80\", app=\"ip\"} 1"], await VectorAsync("count_over_time({app=\"ip\"} | logfmt | addr != ip(\"10.0.0.0/8\") [10s])"));
    }

    [Fact]
    public async Task Duration_unwrap_uses_go_syntax_so_days_are_an_error()
    {
        Assert.Equal(["{app=\"dur\"} 5400"], await VectorAsync("max_over_time({app=\"dur\"} | logfmt | unwrap duration(d) | __error__=\"\" [10s])"));
        await Assert.ThrowsAsync<QueryException>(() => VectorAsync("max_over_time({app=\"dur\"} | logfmt | unwrap duration(d) [10s])"));
    }

    [Fact]
    public async Task Topk_prefers_any_number_to_nan()
    {
        Assert.Equal(["{app=\"v\", k=\"ninf\"} -Infinity"], await VectorAsync("topk(1, max_over_time({app=\"v\", k=~\"ninf|nan\"} | logfmt | unwrap v [10s]))"));
        Assert.Equal(["{app=\"v\", k=\"ninf\"} -Infinity"], await VectorAsync("bottomk(1, max_over_time({app=\"v\", k=~\"ninf|nan\"} | logfmt | unwrap v [10s]))"));
    }

    [Fact]
    public async Task Operations_on_a_sorted_vector_keep_its_order()
    {
        Assert.Equal(["{app=\"v\", k=\"one\"} 3", "{app=\"v\", k=\"three\"} 4"], await VectorAsync("sort(count_over_time({app=\"v\", k=~\"one|three\"}[10s])) + 1"));
        Assert.Equal(["{app=\"v\", k=\"three\"} 4", "{app=\"v\", k=\"one\"} 3"], await VectorAsync("sort_desc(count_over_time({app=\"v\", k=~\"one|three\"}[10s])) + 1"));
    }
}
