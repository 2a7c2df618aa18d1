using Microsoft.Data.Analysis;

namespace OsteoML.Evaluation;

public sealed partial class PredictionTable
{
    /// <summary>
    /// Rows from a DataFrame with the predictions-file columns (text or numeric columns; class columns hold
    /// class names). Bad cells throw one line naming the row index (0-based, as <c>frame.Rows[i]</c>) and column.
    /// </summary>
    public static PredictionTable FromDataFrame(DataFrame predictions, string source = "DataFrame")
    {
        var frame = new FrameReader(predictions, PredictionColumns.Required, source);
        var hasScanner = frame.Has(PredictionColumns.Scanner);
        var hasClassPred = frame.Has(PredictionColumns.ClassPred);
        var rows = frame.Rows((cell, where) => PredictionRowReader.Read(cell, where, hasScanner, hasClassPred));
        return rows.Length > 0 ? new PredictionTable(rows, hasScanner, hasClassPred, source) : throw new InvalidDataException($"{source}: no rows");
    }
}
