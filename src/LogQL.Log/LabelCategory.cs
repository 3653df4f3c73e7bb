namespace Orleans.Loki.LogQL.Log;

/// <summary>Where a label of a log line came from; drives the categorize-labels response encoding.</summary>
public enum LabelCategory
{
    Stream = 0,
    StructuredMetadata = 1,
    Parsed = 2,
}
