namespace OsteoML.Models.Validation;

/// <summary>
/// A linear read-out of a feature extractor: ridge regression on standardised features (intercept unpenalised),
/// minimising Σ(yᵢ − b − zᵢ·w)² + λ‖w‖², solved from the normal equations by Gaussian elimination with partial
/// pivoting. It scores how much of the target the features carry, the way the pipeline's trainable heads use them.
/// </summary>
public sealed class RidgeHead
{
    private readonly double[] mean;
    private readonly double[] scale;
    private readonly double[] weights;
    private readonly double intercept;

    private RidgeHead(double[] mean, double[] scale, double[] weights, double intercept, double lambda)
    {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        this.intercept = intercept;
        Lambda = lambda;
    }

    public double Lambda { get; }

    public static RidgeHead Fit(IReadOnlyList<float[]> x, IReadOnlyList<double> y, double lambda)
    {
        var p = x[0].Length;
        var n = x.Count;
        var mean = new double[p];
        var scale = new double[p];
        for (var j = 0; j < p; j++)
        {
            mean[j] = x.Average(row => row[j]);
            var variance = x.Sum(row => (row[j] - mean[j]) * (row[j] - mean[j])) / n;
            scale[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }
        var yMean = y.Average();
        var a = new double[p, p + 1];
        var z = new double[p];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < p; j++)
                z[j] = (x[i][j] - mean[j]) / scale[j];
            for (var r = 0; r < p; r++)
            {
                a[r, p] += z[r] * (y[i] - yMean);
                for (var c = 0; c < p; c++)
                    a[r, c] += z[r] * z[c];
            }
        }
        for (var r = 0; r < p; r++)
            a[r, r] += lambda;
        return new RidgeHead(mean, scale, Solve(a, p), yMean, lambda);
    }

    /// <summary>λ from <paramref name="lambdas"/> with the lowest mean absolute error over <paramref name="folds"/> contiguous folds, refitted on all rows.</summary>
    public static RidgeHead FitCrossValidated(IReadOnlyList<float[]> x, IReadOnlyList<double> y, IReadOnlyList<double> lambdas, int folds = 5)
    {
        var best = lambdas.MinBy(lambda => Enumerable.Range(0, folds).SelectMany(f =>
        {
            var test = Enumerable.Range(0, x.Count).Where(i => i * folds / x.Count == f).ToList();
            var train = Enumerable.Range(0, x.Count).Where(i => i * folds / x.Count != f).ToList();
            var head = Fit(train.Select(i => x[i]).ToList(), train.Select(i => y[i]).ToList(), lambda);
            return test.Select(i => Math.Abs(head.Predict(x[i]) - y[i]));
        }).Average());
        return Fit(x, y, best);
    }

    public double Predict(float[] features)
    {
        var sum = intercept;
        for (var j = 0; j < weights.Length; j++)
            sum += weights[j] * (features[j] - mean[j]) / scale[j];
        return sum;
    }

    private static double[] Solve(double[,] a, int p)
    {
        for (var col = 0; col < p; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < p; r++)
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                    pivot = r;
            if (pivot != col)
                for (var c = col; c <= p; c++)
                    (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (var r = col + 1; r < p; r++)
            {
                var f = a[r, col] / a[col, col];
                if (f == 0)
                    continue;
                for (var c = col; c <= p; c++)
                    a[r, c] -= f * a[col, c];
            }
        }
        var w = new double[p];
        for (var r = p - 1; r >= 0; r--)
        {
            var sum = a[r, p];
            for (var c = r + 1; c < p; c++)
                sum -= a[r, c] * w[c];
            w[r] = sum / a[r, r];
        }
        return w;
    }
}
