namespace Orleans.Loki.LogQL.Engine;

/// <summary>One extracted sample.</summary>
public readonly record struct SamplePoint(long TimestampNs, double Value);

/// <summary>Samples of one series (labels after pipeline and extraction), in time order.</summary>
public sealed record SampleSeries(KeyValuePair<string, string>[] Labels, string LabelsString, List<SamplePoint> Samples);

/// <summary>What a metric query asks the data source for: samples of a range aggregation's selector in [StartNs, EndNs).</summary>
public sealed record SelectSampleParams(Syntax.RangeAggregationExpr Expr, long StartNs, long EndNs)
{
    /// <summary>
    /// The labels the query reads from the pipeline's output (null: all). Set by the engine when an outer <c>sum</c>
    /// makes other labels irrelevant; <see cref="SampleExtractorBuilder.Build(SelectSampleParams)"/> passes it to the
    /// json and logfmt parsers so they skip the values of other keys.
    /// </summary>
    public IReadOnlyCollection<string>? RequiredLabels { get; init; }
}

/// <summary>A matrix series of a range query result.</summary>
public sealed record Series(KeyValuePair<string, string>[] Labels, string LabelsString, List<SamplePoint> Points);

/// <summary>A sample of an instant vector result.</summary>
public sealed record VectorSample(KeyValuePair<string, string>[] Labels, string LabelsString, long TimestampNs, double Value);
