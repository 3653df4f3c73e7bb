namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Binary arithmetic/comparison on two numbers, as Loki computes it (division and modulo by zero give NaN).</summary>
public static class ScalarMath
{
    /// <summary>Applies <paramref name="op"/>; comparisons yield 1 or 0. Set operators are not defined on scalars.</summary>
    public static double Apply(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => l + r,
        BinaryOp.Sub => l - r,
        BinaryOp.Mul => l * r,
        BinaryOp.Div => r == 0 ? double.NaN : l / r,
        BinaryOp.Mod => r == 0 ? double.NaN : l % r,
        BinaryOp.Pow => Math.Pow(l, r),
        BinaryOp.Eq => l == r ? 1 : 0,
        BinaryOp.Neq => l != r ? 1 : 0,
        BinaryOp.Gt => l > r ? 1 : 0,
        BinaryOp.Gte => l >= r ? 1 : 0,
        BinaryOp.Lt => l < r ? 1 : 0,
        BinaryOp.Lte => l <= r ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "set operators have no scalar form"),
    };

    /// <summary>Whether a comparison holds (for filtering comparisons without <c>bool</c>).</summary>
    public static bool Compare(BinaryOp op, double l, double r) => Apply(op, l, r) == 1;
}
