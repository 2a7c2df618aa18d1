namespace OsteoML.Calibration;

/// <summary>
/// Least squares with an optional ridge penalty on every coefficient: minimises Σ(yᵢ − xᵢ·θ)² + λ‖θ‖², by the
/// normal equations (XᵀX + λI)θ = Xᵀy solved with Cholesky. The systems here are at most 6 × 6.
/// One coefficient can be held at a fixed value (used to pin a capped slope while the rest refit).
/// </summary>
internal static class RidgeFit
{
    public static double[] Solve(IReadOnlyList<double[]> x, IReadOnlyList<double> y, double lambda, int fixedIndex = -1, double fixedValue = 0)
    {
        var p = x[0].Length;
        var free = Enumerable.Range(0, p).Where(j => j != fixedIndex).ToArray();
        var m = free.Length;
        var a = new double[m, m];
        var b = new double[m];
        for (var i = 0; i < x.Count; i++)
        {
            var target = y[i] - (fixedIndex >= 0 ? x[i][fixedIndex] * fixedValue : 0);
            for (var r = 0; r < m; r++)
            {
                b[r] += x[i][free[r]] * target;
                for (var c = 0; c < m; c++) a[r, c] += x[i][free[r]] * x[i][free[c]];
            }
        }
        // A whisker of ridge keeps an unpenalised fit solvable when a column is constant (all cases at one ŷ).
        for (var r = 0; r < m; r++) a[r, r] += Math.Max(lambda, 1e-9);
        var solution = Solve(Factor(a), b);
        var theta = new double[p];
        for (var r = 0; r < m; r++) theta[free[r]] = solution[r];
        if (fixedIndex >= 0) theta[fixedIndex] = fixedValue;
        return theta;
    }

    /// <summary>
    /// Exact leave-one-out residuals of the ridge fit without refitting: eᵢ/(1 − hᵢᵢ), with hᵢᵢ = xᵢᵀ(XᵀX + λI)⁻¹xᵢ
    /// the leverage of case i (the PRESS identity; it holds for any fixed λ).
    /// </summary>
    public static double[] LeaveOneOutResiduals(IReadOnlyList<double[]> x, IReadOnlyList<double> y, double lambda)
    {
        var p = x[0].Length;
        var a = new double[p, p];
        var b = new double[p];
        for (var i = 0; i < x.Count; i++)
            for (var r = 0; r < p; r++)
            {
                b[r] += x[i][r] * y[i];
                for (var c = 0; c < p; c++) a[r, c] += x[i][r] * x[i][c];
            }
        for (var r = 0; r < p; r++) a[r, r] += Math.Max(lambda, 1e-9);
        var l = Factor(a);
        var theta = Solve(l, b);
        var residuals = new double[x.Count];
        var z = new double[p];
        for (var i = 0; i < x.Count; i++)
        {
            double fitted = 0, leverage = 0;
            for (var r = 0; r < p; r++)
            {
                fitted += x[i][r] * theta[r];
                var sum = x[i][r];
                for (var k = 0; k < r; k++) sum -= l[r, k] * z[k];
                z[r] = sum / l[r, r];
                leverage += z[r] * z[r];
            }
            residuals[i] = (y[i] - fitted) / (1 - leverage);
        }
        return residuals;
    }

    private static double[,] Factor(double[,] a)
    {
        var n = a.GetLength(0);
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                if (i == j)
                {
                    if (sum <= 0) throw new InvalidOperationException("the calibration's normal equations are singular.");
                    l[i, i] = Math.Sqrt(sum);
                }
                else l[i, j] = sum / l[j, j];
            }
        }
        return l;
    }

    private static double[] Solve(double[,] l, double[] b)
    {
        var n = b.Length;
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++) sum -= l[i, k] * z[k];
            z[i] = sum / l[i, i];
        }
        var theta = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < n; k++) sum -= l[k, i] * theta[k];
            theta[i] = sum / l[i, i];
        }
        return theta;
    }
}
