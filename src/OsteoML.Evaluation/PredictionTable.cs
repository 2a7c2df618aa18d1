using OsteoML.Domain;

namespace OsteoML.Evaluation;

/// <summary>
/// One row of a predictions file: a case (a patient's scan, or one vertebral level of it) with its split,
/// site, reference and predicted BMD, true class, class probabilities (in <see cref="AcrClasses"/> order)
/// and predicted class. <see cref="Id"/> identifies the patient: rows sharing it are resampled together.
/// </summary>
public sealed record PredictionRow(
    string Id,
    string Split,
    string Site,
    string? Scanner,
    double BmdTrue,
    double BmdPred,
    int ClassTrue,
    IReadOnlyList<double> Probabilities,
    int ClassPred);

/// <summary>Validated prediction rows, from a CSV file (<see cref="ReadCsv"/>) or a DataFrame.</summary>
public sealed partial class PredictionTable
{
    public PredictionTable(IReadOnlyList<PredictionRow> rows, bool hasScanner, bool predictedClassGiven, string source)
    {
        Rows = rows;
        HasScanner = hasScanner;
        PredictedClassGiven = predictedClassGiven;
        Source = source;
    }

    public IReadOnlyList<PredictionRow> Rows { get; }

    /// <summary>Whether the rows carry a scanner (the optional <c>scanner</c> column).</summary>
    public bool HasScanner { get; }

    /// <summary>Whether the predicted class was given (<c>class_pred</c>) rather than taken as the argmax.</summary>
    public bool PredictedClassGiven { get; }

    /// <summary>Where the rows came from (a file name), for messages and the report.</summary>
    public string Source { get; }

    public int Count => Rows.Count;

    /// <summary>Reads and validates a predictions CSV; bad input throws one line naming the row and column.</summary>
    public static PredictionTable ReadCsv(string path) => PredictionsCsv.Read(path);

    public override string ToString() => $"{Count} predictions from {Source}";
}

/// <summary>The columns of a predictions file.</summary>
public static class PredictionColumns
{
    public const string Id = "id";
    public const string Split = "split";
    public const string Site = "site";
    public const string Scanner = "scanner";
    public const string BmdTrue = "bmd_true";
    public const string BmdPred = "bmd_pred";
    public const string ClassTrue = "class_true";
    public const string ClassPred = "class_pred";

    /// <summary>p_normal, p_osteopenia, p_osteoporosis, in class order.</summary>
    public static IReadOnlyList<string> Probabilities { get; } = AcrClasses.Names.Select(c => "p_" + c).ToArray();

    public static IReadOnlyList<string> Required { get; } =
        [Id, Split, Site, BmdTrue, BmdPred, ClassTrue, .. Probabilities];

    /// <summary>How far from 1 the probabilities of a row may sum.</summary>
    public const double ProbabilitySumTolerance = 1e-3;
}
