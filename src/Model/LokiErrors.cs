using System.Globalization;

namespace Orleans.Loki.Model;

/// <summary>
/// Error texts and discard reasons as Loki spells them (pkg/validation/validate.go,
/// pkg/loghttp/push/push.go), so clients and dashboards that match on them keep working.
/// Composite formats use .NET placeholders in the order of Loki's Go verbs.
/// </summary>
public static class LokiErrors
{
    // Discard reasons: the "reason" label of loki_discarded_samples_total / _bytes_total.
    public const string InvalidLabels = "invalid_labels";
    public const string MissingLabels = "missing_labels";
    public const string LineTooLong = "line_too_long";
    public const string GreaterThanMaxSampleAge = "greater_than_max_sample_age";
    public const string TooFarInFuture = "too_far_in_future";
    public const string MaxLabelNamesPerSeries = "max_label_names_per_series";
    public const string LabelNameTooLong = "label_name_too_long";
    public const string LabelValueTooLong = "label_value_too_long";
    public const string DuplicateLabelNames = "duplicate_label_names";
    public const string StructuredMetadataTooLarge = "structured_metadata_too_large";
    public const string StructuredMetadataTooMany = "structured_metadata_too_many";
    public const string RequestBodyTooLarge = "request_body_too_large";
    public const string RateLimited = "rate_limited";
    public const string StreamLimit = "stream_limit";
    public const string PerStreamRateLimit = "per_stream_rate_limit";

    // Messages. {0}, {1}, ... follow the order of the Go format verbs.
    public const string MissingStreamsErrorMsg = "error at least one valid stream is required for ingestion";
    public const string MissingLabelsErrorMsg = "error at least one label pair is required per stream";
    public const string InvalidLabelsErrorMsg = "Error parsing labels '{0}' with error: {1}";
    public const string LineTooLongErrorMsg = "Max entry size '{0}' bytes exceeded for stream '{1}' while adding an entry with length '{2}' bytes";
    public const string GreaterThanMaxSampleAgeErrorMsg = "entry for stream '{0}' has timestamp too old: {1}, oldest acceptable timestamp is: {2}";
    public const string TooFarInFutureErrorMsg = "entry for stream '{0}' has timestamp too new: {1}";
    public const string MaxLabelNamesPerSeriesErrorMsg = "entry for stream '{0}' has {1} label names; limit {2}";
    public const string LabelNameTooLongErrorMsg = "stream '{0}' has label name too long: '{1}'";
    public const string LabelValueTooLongErrorMsg = "stream '{0}' has label value too long: '{1}'";
    public const string DuplicateLabelNamesErrorMsg = "stream '{0}' has duplicate label name: '{1}'";
    public const string StructuredMetadataTooLargeErrorMsg = "stream '{0}' has structured metadata too large: '{1}' bytes, limit: '{2}' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.";
    public const string StructuredMetadataTooManyErrorMsg = "stream '{0}' has too many structured metadata labels: '{1}', limit: '{2}'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it.";
    public const string RateLimitedErrorMsg = "Ingestion rate limit exceeded for user {0} (limit: {1} bytes/sec) while attempting to ingest '{2}' lines totaling '{3}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased";
    public const string StreamRateLimitErrorMsg = "Per stream rate limit exceeded (limit: {0}/sec) while attempting to ingest for stream '{1}' totaling {2}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased";
    public const string StreamLimitErrorMsg = "Maximum active stream limit exceeded when trying to create stream {0}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '{1}'";

    // 413 texts. Loki wraps its size errors as "request body too large: <cause> than max (<size> vs <limit>)".
    public const string RequestBodyTooLargeErrorMsg = "request body too large: {0} bytes, limit: {1} bytes";
    public const string ErrRequestBodyTooLarge = "request body too large";
    public const string ErrMessageSizeTooLarge = "message size too large";
    public const string ErrMessageDecompressedSizeTooLarge = "decompressed message size too large";

    /// <summary>Body of a 413 for a compressed body that would inflate past the limit.</summary>
    public static string DecompressedTooLarge(long size, long limit) =>
        $"{ErrRequestBodyTooLarge}: {ErrMessageDecompressedSizeTooLarge} than max ({size} vs {limit})";

    /// <summary>Body of a 413 for a body that is larger than the limit on the wire.</summary>
    public static string MessageTooLarge(long size, long limit) =>
        $"{ErrRequestBodyTooLarge}: {ErrMessageSizeTooLarge} than max ({size} vs {limit})";

    // Push bodies (pkg/loghttp/push).
    public const string SnappyCorrupt = "snappy: corrupt input";
    public const string InvalidPushRequest = "invalid push request";

    public static string InvalidJsonPushRequest(string cause) => $"invalid JSON push request: {cause}";

    public static string ProtoError(string cause) => $"proto: {cause}";

    // LogQL parse and validation (pkg/logql/syntax); the parser prefixes them with "parse error : ".
    public const string AtLeastOneEqualityMatcherRequired =
        "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";
    public const string MissingClosingBracketInDuration = "missing closing ']' in duration";
    public const string LiteralNotTerminated = "literal not terminated";
    public const string OnlyLogSelector = "only log selector is supported";
    public const string OnlySampleExpression = "only sample expression supported";
    public const string OnlyLabelMatchers = "only label matchers is supported";
    public const string IpInvalidOperation = "ip: invalid operation";
    public const string NamedCapturesNotAllowed = "named captures are not allowed";
    public const string SortGroupingNotAllowed = "sort and sort_desc doesn't allow grouping by ";
    public const string RegexpNoNamedCapture = "invalid regexp parser: at least one named capture must be supplied";
    public const string PatternNoCapture = "invalid pattern parser: at least one capture is required";

    public static string LiteralNotFloat(string? cause) => $"unable to parse literal as a float: {cause}";

    public static string InputSizeTooLong(int size, int max) => $"input size too long ({size} > {max})";

    public static string NestedTooDeep(int max) => $"syntax error: expression nested deeper than {max} levels";

    /// <summary><paramref name="leg"/> is <c>left</c> or <c>right</c>; <paramref name="type"/> Go's type name of the operand.</summary>
    public static string UnexpectedLegType(string leg, string op, string type) =>
        $"unexpected type for {leg} leg of binary operation ({op}): {type}";

    public static string UnexpectedLegLiteral(string leg, string op, double value) =>
        $"unexpected literal for {leg} leg of logical/set binary operation ({op}): {value.ToString("F6", CultureInfo.InvariantCulture)}";

    public static string InvalidLabelReplaceRegex(string? cause) => "invalid regex in label_replace: " + cause;

    public static string ParameterNotSupported(string param, string op) => $"parameter {param} not supported for operation {op}";

    public static string ParameterRequired(string op) => $"parameter required for operation {op}";

    public static string GroupingNotAllowed(string op) => $"grouping not allowed for {op} aggregation";

    public static string AggregationWithUnwrap(string op) => $"invalid aggregation {op} with unwrap";

    public static string AggregationWithoutUnwrap(string op) => $"invalid aggregation {op} without unwrap";

    public static string InvalidParameter(string op, string param) => $"invalid parameter {op}({param},";

    public static string ParameterNotPositive(string op, string param) => $"invalid parameter (must be greater than 0) {op}({param}";

    public static string UnsupportedParameter(string op, string param) => $"unsupported parameter for operation {op}({param},";

    public static string RegexpDuplicateLabel(string name) => $"invalid regexp parser: duplicate extracted label name '{name}'";

    public static string InvalidRegexpParser(string? cause) => "invalid regexp parser: " + cause;

    public static string PatternConsecutiveCapture(string capture) => "invalid pattern parser: found consecutive capture '" + capture + "'";

    // LogQL evaluation (pkg/logql).
    public const string CountMinSketchInstantOnly = "count min sketches are only supported on instant queries";
    public const string LogQueryAsInstant = "log queries are not supported as an instant query type, please change your query to a range query type";
    public const string NonPositiveStep = "zero or negative query resolution step widths are not accepted. Try a positive integer";
    public const string EndBeforeStart = "end timestamp must not be before start time";
    public const string MaxResolution = "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)";
    public const string ManyToOneMustBeExplicit = "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)";
    public const string GroupingNotUnique = "multiple matches for labels: grouping labels must ensure unique matches";

    public static string InvalidIpFilter(string? cause) => "invalid ip filter: " + cause;

    public static string InvalidLineFilter(string? cause) => "invalid line filter: " + cause;

    // Read API parameters and limits (pkg/querier, pkg/loghttp).
    public const string InvalidAggregationOption = "invalid aggregation option";

    public static string MaxEntriesLimitPerQuery(int limit, int max) => Format(MaxEntriesLimitErrorMsg, limit, max);

    public static string MaxSeriesLimit(int limit) => $"the query hit the max number of series limit (limit: {limit} series)";

    // The export endpoint (this server's own).
    public const string ExportLogQueriesOnly = "export supports log queries only, not metric queries";

    public static string ExportInvalidFormat(string? value) => $"invalid parameter \"format\": must be ndjson or text, not '{value}'";

    // Retention (pkg/validation, pkg/compactor/retention).
    public const string OnlyLabelMatchersAllowed = "only label matchers are allowed";

    public static string RetentionPeriodTooShort(string period) => $"retention period must be >= 24h was {period}";

    public static string InvalidLabelsMatchers(string cause) => $"invalid labels matchers: {cause}";

    // Delete API (pkg/compactor/deletion).
    public const string DeleteQueryNotSet = "query not set";
    public const string DeleteInvalidQuery = "invalid query expression";
    public const string DeleteStartNotSet = "start time not set";
    public const string DeleteInvalidStart = "invalid start time: require unix seconds or RFC3339 format";
    public const string DeleteInvalidEnd = "invalid end time: require unix seconds or RFC3339 format";
    public const string DeleteInFuture = "deletes in the future are not allowed";
    public const string DeleteStartNotBeforeEnd = "start time can't be greater than or equal to end time";
    public const string DeleteInvalidMaxInterval = "invalid max_interval: valid time units are 's', 'm', 'h'";
    public const string DeleteAlreadyProcessed = "deletion of request which is in process or already processed is not allowed";

    public static string DeleteMaxIntervalOverLimit(string limit) => $"max_interval can't be greater than {limit}";

    public static string DeleteMaxIntervalOverRange(string interval) => $"max_interval can't be greater than the interval to be deleted ({interval})";

    public static string DeleteCancelPastDeadline(string period) =>
        $"Cancellation of partially completed delete request or delete request past the deadline of {period} since its creation is not allowed. To force, use the ?force query parameter";

    // Shared by every path that gives up on a deadline (Go's context.DeadlineExceeded).
    public const string ContextDeadlineExceeded = "context deadline exceeded";

    // Tail: the text Loki's websocket library answers to a plain HTTP request.
    public const string WebsocketUpgradeMissing = "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";

    // Delete API, tenant and lookup.
    public const string DeletionNotAvailable = "deletion is not available for this tenant";
    public const string DeleteRequestNotFound = "could not find delete request with given id";

    // Ruler API and evaluation (pkg/ruler, Prometheus' rules).
    public const string NoRuleGroupsFound = "no rule groups found";
    public const string RuleGroupNotFound = "group does not exist";
    public const string RuleNamespaceNotFound = "group namespace does not exist";
    public const string RuleResultNotVector = "rule result is not a vector or scalar";
    public const string DuplicateAlertLabelset = "vector contains metrics with the same labelset after applying alert labels";
    public const string DuplicateRuleLabelset = "vector contains metrics with the same labelset after applying rule labels";

    public static string RuleGroupUndecodable(string? cause) => $"unable to decoded rule group: {cause}";

    public static string RulesPerGroupLimit(int limit, int actual) => $"per-user rules per rule group limit (limit: {limit} actual: {actual}) exceeded";

    public static string RuleGroupsLimit(int limit, int actual) => $"per-user rule groups limit (limit: {limit} actual: {actual}) exceeded";

    public static string AlertLimitExceeded(int limit, int active) => $"exceeded limit of {limit} with {active} alerts";

    public static string SeriesLimitExceeded(int limit, int series) => $"exceeded limit of {limit} with {series} series";

    #region Query API parameters (pkg/loghttp/params.go, pkg/loghttp/query.go, pkg/util/validation)

    public const string ErrEndBeforeStart = "end timestamp must not be before or equal to start time";
    public const string ErrZeroOrNegativeStep = "zero or negative query resolution step widths are not accepted. Try a positive integer";
    public const string ErrStepTooSmall = "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter";
    public const string ErrNegativeInterval = "interval must be >= 0";
    public const string ErrLimitNotPositive = "limit must be a positive value";
    public const string ErrLogInstantQuery = "log queries are not supported as an instant query type, please change your query to a range query type";
    public const string ErrLegacyMetricQuery = "legacy endpoints only support streams result type";
    public const string ErrParseMatchers = "only label matchers are supported";
    public const string ErrTargetBytesPerShardNotPositive = "targetBytesPerShard must be a positive value";

    /// <summary>Prometheus' <c>model.ParseDuration</c> error; {0}: the value, Go-quoted.</summary>
    public const string NotAValidDurationStringErrorMsg = "not a valid duration string: {0}";

    /// <summary>{0}: the parameter (<c>limit</c>, <c>line_limit</c>), {1}: its value.</summary>
    public const string LimitOutOfRangeErrorMsg = "{0} value {1} is out of range [0, 4294967295]";

    /// <summary>{0}: the value as given.</summary>
    public const string InvalidDirectionErrorMsg = "invalid direction '{0}'";

    /// <summary>{0}: <c>start</c>, <c>end</c> or <c>since</c>; {1}: the parser's error.</summary>
    public const string CouldNotParseParameterErrorMsg = "could not parse '{0}' parameter: {1}";

    /// <summary>{0}: the value, Go-quoted.</summary>
    public const string InvalidDurationErrorMsg = "cannot parse {0} to a valid duration";

    /// <summary>{0}: the value, Go-quoted.</summary>
    public const string DurationOverflowsErrorMsg = "cannot parse {0} to a valid duration. It overflows int64";

    /// <summary>{0}: the length as a Go duration, {1}: the limit as a Prometheus duration.</summary>
    public const string QueryTooLongErrorMsg = "the query time range exceeds the limit (query length: {0}, limit: {1})";

    /// <summary>{0}: the limit asked, {1}: <c>max_entries_limit_per_query</c>.</summary>
    public const string MaxEntriesLimitErrorMsg = "max entries limit per query exceeded, limit > max_entries_limit_per_query ({0} > {1})";

    /// <summary>Go's <c>strconv</c> error: {0} the function (<c>ParseInt</c>, <c>Atoi</c>), {1} the Go-quoted input, {2} the reason.</summary>
    public const string StrconvErrorMsg = "strconv.{0}: parsing {1}: {2}";
    public const string StrconvInvalidSyntax = "invalid syntax";
    public const string StrconvOutOfRange = "value out of range";

    public static string Format(string format, params object[] args) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

    #endregion
}
