namespace Orleans.Loki.LogQL.Engine;

/// <summary>One extracted sample.</summary>
public readonly record struct SamplePoint(long TimestampNs, double Value);

/// <summary>Samples of one series (labels after pipeline and extraction), in time order.</summary>
public sealed record SampleSeries(KeyValuePair<string, string>[] Labels, string LabelsString, List<SamplePoint> Samples)
{
    /// <summary>
    /// True when the source answered <see cref="SelectSampleParams.WindowSteps"/>: each point is the sum of the series'
    /// sample values in the window ending at its timestamp (step minus offset), possibly a part of it (the engine adds
    /// points with equal timestamps).
    /// </summary>
    public bool PerWindow { get; init; }
}

/// <summary>What a metric query asks the data source for: samples of a range aggregation's selector in [StartNs, EndNs).</summary>
public sealed record SelectSampleParams(Syntax.RangeAggregationExpr Expr, long StartNs, long EndNs)
{
    /// <summary>
    /// The labels the query reads from the pipeline's output (null: all). Set by the engine when an outer <c>sum</c>
    /// makes other labels irrelevant; <see cref="SampleExtractorBuilder.Build(SelectSampleParams)"/> passes it to the
    /// json and logfmt parsers so they skip the values of other keys.
    /// </summary>
    public IReadOnlyCollection<string>? RequiredLabels { get; init; }

    /// <summary>
    /// Evaluation steps, set by the engine when the range aggregation's value per window is a count or a sum of
    /// integral values (count_over_time, rate, bytes_over_time, bytes_rate without unwrap). A source may then answer
    /// with <see cref="SampleSeries.PerWindow"/> series: one summed value per non-empty window
    /// <c>(step - offset - range, step - offset]</c> instead of every sample. Null: samples only.
    /// </summary>
    public StepRange? WindowSteps { get; init; }

    /// <summary>
    /// Label names (sorted) the engine groups the samples by before anything else reads them (null: every label
    /// matters). Set when the range aggregation groups itself with <c>by</c>, or when a <c>sum by</c> directly around a
    /// range aggregation whose value is linear in its samples (count, rate, bytes, sum) makes other labels irrelevant.
    /// A source may then label each sample with just these names (a sample with <c>__error__</c> keeps every label, for
    /// the error text) and merge the series that become equal: the per-line label work shrinks to the grouping labels.
    /// </summary>
    public IReadOnlyList<string>? Grouping { get; init; }
}

/// <summary>Evenly spaced evaluation steps: <see cref="StartNs"/> + i·<see cref="StepNs"/> for i &lt; <see cref="Count"/>.</summary>
public sealed record StepRange(long StartNs, long StepNs, int Count);

/// <summary>A matrix series of a range query result.</summary>
public sealed record Series(KeyValuePair<string, string>[] Labels, string LabelsString, List<SamplePoint> Points);

/// <summary>A sample of an instant vector result.</summary>
public sealed record VectorSample(KeyValuePair<string, string>[] Labels, string LabelsString, long TimestampNs, double Value);
