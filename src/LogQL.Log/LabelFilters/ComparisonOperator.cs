namespace Orleans.Loki.LogQL.Log;

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
