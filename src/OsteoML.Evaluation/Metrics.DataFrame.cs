using Microsoft.Data.Analysis;
using OsteoML.Domain;

namespace OsteoML.Evaluation;

public static partial class Metrics
{
    /// <summary>
    /// Classification metrics of a DataFrame with the predictions-file columns class_true, p_normal,
    /// p_osteopenia, p_osteoporosis and optionally class_pred (else the argmax). With
    /// <paramref name="replicates"/> &gt; 0, patient-level bootstrap intervals over the <c>id</c> column.
    /// </summary>
    public static ClassificationMetrics Classification(DataFrame predictions, int replicates = 0, ulong seed = PatientBootstrap.DefaultSeed)
    {
        var frame = new FrameReader(predictions, [PredictionColumns.ClassTrue, .. PredictionColumns.Probabilities, .. IdIf(replicates)]);
        var hasClassPred = frame.Has(PredictionColumns.ClassPred);
        var truth = frame.Rows((cell, where) => PredictionRowReader.Class(cell, PredictionColumns.ClassTrue, where));
        var probabilities = frame.Rows<IReadOnlyList<double>>(PredictionRowReader.Probabilities);
        var predicted = hasClassPred
            ? frame.Rows((cell, where) => PredictionRowReader.Class(cell, PredictionColumns.ClassPred, where))
            : probabilities.Select(PredictionRowReader.ArgMax).ToArray();
        return Classification(truth, probabilities, predicted, AcrClasses.Names, Bootstrap(frame, replicates, seed));
    }

    /// <summary>
    /// Regression metrics of a DataFrame's bmd_true and bmd_pred columns; with <paramref name="replicates"/>
    /// &gt; 0, patient-level bootstrap intervals over the <c>id</c> column.
    /// </summary>
    public static RegressionMetrics Regression(DataFrame predictions, int replicates = 0, ulong seed = PatientBootstrap.DefaultSeed)
    {
        var frame = new FrameReader(predictions, [PredictionColumns.BmdTrue, PredictionColumns.BmdPred, .. IdIf(replicates)]);
        return Regression(
            frame.Rows((cell, where) => PredictionRowReader.Number(cell, PredictionColumns.BmdTrue, where)),
            frame.Rows((cell, where) => PredictionRowReader.Number(cell, PredictionColumns.BmdPred, where)),
            Bootstrap(frame, replicates, seed));
    }

    private static string[] IdIf(int replicates) => replicates > 0 ? [PredictionColumns.Id] : [];

    private static PatientBootstrap? Bootstrap(FrameReader frame, int replicates, ulong seed) =>
        replicates > 0
            ? new PatientBootstrap(frame.Rows((cell, where) => PredictionRowReader.Text(cell, PredictionColumns.Id, where)), replicates, seed)
            : null;
}

/// <summary>Cells of a DataFrame by column name (case-insensitive), with the required columns checked up front.</summary>
internal sealed class FrameReader
{
    private readonly DataFrame frame;
    private readonly Dictionary<string, DataFrameColumn> columns;

    public FrameReader(DataFrame frame, IEnumerable<string> required, string source = "DataFrame")
    {
        ArgumentNullException.ThrowIfNull(frame);
        this.frame = frame;
        Source = source;
        columns = frame.Columns.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var missing = required.Where(c => !columns.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{source}: missing column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}");
    }

    public string Source { get; }

    public bool Has(string column) => columns.ContainsKey(column);

    /// <summary>Reads every row; the location in messages is the 0-based row index, as <c>frame.Rows[i]</c>.</summary>
    public T[] Rows<T>(Func<Func<string, object?>, string, T> read)
    {
        var values = new T[frame.Rows.Count];
        for (long i = 0; i < values.Length; i++)
        {
            var row = i;
            values[row] = read(column => columns[column][row], $"{Source}: row index {row}");
        }
        return values;
    }
}
