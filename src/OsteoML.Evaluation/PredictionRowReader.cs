using System.Globalization;
using OsteoML.Domain;

namespace OsteoML.Evaluation;

/// <summary>
/// Builds one <see cref="PredictionRow"/> from named cells (text from a CSV, or typed values from a
/// DataFrame) and says exactly what is wrong: "&lt;where&gt;, column &lt;name&gt;: &lt;problem&gt;".
/// </summary>
internal static class PredictionRowReader
{
    public static PredictionRow Read(Func<string, object?> cell, string where, bool hasScanner, bool hasClassPred)
    {
        // Checked in column order, so the first problem reported is the leftmost.
        var id = Text(cell, PredictionColumns.Id, where);
        var split = Text(cell, PredictionColumns.Split, where);
        var site = Text(cell, PredictionColumns.Site, where);
        var scanner = hasScanner ? Text(cell, PredictionColumns.Scanner, where) : null;
        var bmdTrue = Number(cell, PredictionColumns.BmdTrue, where);
        var bmdPred = Number(cell, PredictionColumns.BmdPred, where);
        var classTrue = Class(cell, PredictionColumns.ClassTrue, where);
        var probabilities = Probabilities(cell, where);
        var classPred = hasClassPred ? Class(cell, PredictionColumns.ClassPred, where) : ArgMax(probabilities);
        return new PredictionRow(id, split, site, scanner, bmdTrue, bmdPred, classTrue, probabilities, classPred);
    }

    public static InvalidDataException Problem(string where, string column, string problem) =>
        new($"{where}, column {column}: {problem}");

    /// <summary>First of equal maxima, like numpy.argmax.</summary>
    internal static int ArgMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>The three class probabilities, each in [0, 1], summing to 1 within the tolerance.</summary>
    public static double[] Probabilities(Func<string, object?> cell, string where)
    {
        var probabilities = PredictionColumns.Probabilities.Select(column => Probability(cell, column, where)).ToArray();
        var sum = probabilities.Sum();
        if (Math.Abs(sum - 1) > PredictionColumns.ProbabilitySumTolerance)
            throw Problem(where, string.Join("+", PredictionColumns.Probabilities),
                $"probabilities sum to {sum.ToString("G6", CultureInfo.InvariantCulture)}, not 1 ± {PredictionColumns.ProbabilitySumTolerance.ToString(CultureInfo.InvariantCulture)}");
        return probabilities;
    }

    public static string Text(Func<string, object?> cell, string column, string where)
    {
        var text = Convert.ToString(cell(column), CultureInfo.InvariantCulture)?.Trim();
        return string.IsNullOrEmpty(text) ? throw Problem(where, column, "empty") : text;
    }

    public static double Number(Func<string, object?> cell, string column, string where)
    {
        var value = cell(column);
        switch (value)
        {
            case null:
                throw Problem(where, column, "empty");
            case string text:
                text = text.Trim();
                if (text.Length == 0)
                    throw Problem(where, column, "empty");
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    throw Problem(where, column, $"'{Shorten(text)}' is not a number");
                return double.IsFinite(parsed) ? parsed : throw Problem(where, column, $"'{Shorten(text)}' is not a finite number");
            case IConvertible convertible when value is not bool and not char:
                var number = convertible.ToDouble(CultureInfo.InvariantCulture);
                return double.IsFinite(number) ? number : throw Problem(where, column, $"{number.ToString(CultureInfo.InvariantCulture)} is not a finite number");
            default:
                throw Problem(where, column, $"a {value.GetType().Name} is not a number");
        }
    }

    private static double Probability(Func<string, object?> cell, string column, string where)
    {
        var p = Number(cell, column, where);
        return p is >= 0 and <= 1 ? p : throw Problem(where, column, $"probability {p.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]");
    }

    public static int Class(Func<string, object?> cell, string column, string where)
    {
        var name = Text(cell, column, where);
        for (var k = 0; k < AcrClasses.Names.Count; k++)
        {
            if (string.Equals(name, AcrClasses.Names[k], StringComparison.OrdinalIgnoreCase))
                return k;
        }
        throw Problem(where, column, $"unknown class '{Shorten(name)}' (expected {string.Join(", ", AcrClasses.Names)})");
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
