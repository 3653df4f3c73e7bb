namespace Orleans.Loki.LogQL.Log;

/// <summary>Names of the special error labels and the error values Loki's pipeline stages put in them.</summary>
public static class PipelineErrors
{
    public const string ErrorLabel = "__error__";
    public const string ErrorDetailsLabel = "__error_details__";
    public const string PreserveErrorLabel = "__preserve_error__";

    public const string JsonParser = "JSONParserErr";
    public const string LogfmtParser = "LogfmtParserErr";
    public const string SampleExtraction = "SampleExtractionErr";
    public const string LabelFilter = "LabelFilterErr";
    public const string TemplateFormat = "TemplateFormatErr";

    /// <summary>Suffix a parsed key gets when a stream label already has its name.</summary>
    public const string DuplicateSuffix = "_extracted";

    internal static bool IsSpecial(string name) =>
        name == ErrorLabel || name == ErrorDetailsLabel || name == PreserveErrorLabel;
}
