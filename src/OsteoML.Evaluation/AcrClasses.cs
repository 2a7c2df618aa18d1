namespace OsteoML.Evaluation;

/// <summary>
/// The study's three classes, in the order used everywhere (probability columns, confusion matrices): the
/// ACR categories of QCT BMD — normal &gt; 120, osteopenia 80–120, osteoporosis &lt; 80 mg/cm³.
/// </summary>
public static class AcrClasses
{
    public const string Normal = "normal";
    public const string Osteopenia = "osteopenia";
    public const string Osteoporosis = "osteoporosis";

    public static IReadOnlyList<string> Names { get; } = [Normal, Osteopenia, Osteoporosis];
}
