namespace Orleans.Loki.LogQL.Log;

/// <summary>String label matchers: <c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>.</summary>
public enum LabelMatchType
{
    Equal = 0,
    NotEqual = 1,
    Regex = 2,
    NotRegex = 3,
}

/// <summary>Numeric comparisons of label filters: <c>&gt; &gt;= &lt; &lt;= == !=</c>.</summary>
public enum ComparisonOperator
{
    Greater = 0,
    GreaterOrEqual = 1,
    Less = 2,
    LessOrEqual = 3,
    Equal = 4,
    NotEqual = 5,
}
