namespace OsteoML.Tests.Evaluation;

/// <summary>Seeded random prediction sets shaped like the study's: three ACR classes, BMD in mg/cm³.</summary>
internal static class RandomData
{
    /// <param name="decimals">Round probabilities to this many decimals (creates score ties); -1 keeps them.</param>
    /// <param name="explicitPredictions">Give predicted classes (argmax with 15 % flipped) instead of leaving argmax to the code.</param>
    /// <param name="missingClass">A class no row truly has (its AUC and recall are undefined).</param>
    /// <param name="bmdNoise">SD of the BMD prediction error (mg/cm³).</param>
    public static ReferenceCase Case(int seed, int n, int decimals = -1, bool explicitPredictions = false,
        int missingClass = -1, double bmdNoise = 8)
    {
        var random = new Random(seed);
        var truth = new int[n];
        var proba = new double[n][];
        var reference = new double[n];
        var predicted = new double[n];
        for (var i = 0; i < n; i++)
        {
            int t;
            do t = random.Next(3); while (t == missingClass);
            truth[i] = t;
            reference[i] = t switch { 0 => 150 + 20 * Gaussian(random), 1 => 100 + 10 * Gaussian(random), _ => 60 + 12 * Gaussian(random) };
            predicted[i] = reference[i] + bmdNoise * Gaussian(random);
            var logits = Enumerable.Range(0, 3).Select(c => (c == t ? 1.5 : 0) + Gaussian(random)).ToArray();
            var sum = logits.Sum(Math.Exp);
            proba[i] = logits.Select(l => Math.Exp(l) / sum).Select(p => decimals >= 0 ? Math.Round(p, decimals) : p).ToArray();
        }
        int[]? pred = null;
        if (explicitPredictions)
        {
            pred = proba.Select(p => Array.IndexOf(p, p.Max())).ToArray();
            for (var i = 0; i < n; i++)
                if (random.NextDouble() < 0.15) pred[i] = random.Next(3);
        }
        return new ReferenceCase(3, truth, proba, pred, reference, predicted);
    }

    /// <summary>Patient ids for rows: every patient has at least one row, some several.</summary>
    public static string[] PatientIds(int seed, int rows, int patients)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(r => $"P{(r < patients ? r : random.Next(patients)):D4}").ToArray();
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
