using System.Globalization;
using System.Text;

namespace OsteoML.Validation.Screening;

/// <summary>The study's table layout (AUC, F1, accuracy, precision, recall, specificity; MAE, RMSE, R², r) as Markdown.</summary>
public static class PaperTable
{
    public static readonly IReadOnlyList<string> Columns = ["set", "n", "AUC", "F1", "accuracy", "precision", "recall", "specificity", "MAE", "RMSE", "R²", "r"];

    public static string[] Cells(PaperRow r) =>
    [
        r.Label, r.N.ToString(CultureInfo.InvariantCulture), F(r.Auc, 3), F(r.F1, 3), F(r.Accuracy, 3), F(r.Precision, 3), F(r.Recall, 3),
        F(r.Specificity, 3), F(r.Mae, 2), F(r.Rmse, 2), F(r.R2, 3), F(r.PearsonR, 3),
    ];

    public static string Markdown(IEnumerable<PaperRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Columns).Append(" |\n|").AppendJoin("|", Columns.Select((_, i) => i == 0 ? "---" : "---:")).Append("|\n");
        foreach (var r in rows) text.Append("| ").AppendJoin(" | ", Cells(r)).Append(" |\n");
        return text.ToString();
    }

    private static string F(double? v, int d) => v is { } x ? x.ToString("F" + d, CultureInfo.InvariantCulture) : "–";
}
