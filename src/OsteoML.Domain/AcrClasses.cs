namespace OsteoML.Domain;

/// <summary>
/// The study's three classes, in the order used everywhere (probability columns, confusion matrices): the
/// ACR categories of QCT BMD — normal &gt; 120, osteopenia 80–120, osteoporosis &lt; 80 mg/cm³.
/// </summary>
public static class AcrClasses
{
    public const string Normal = "normal";
    public const string Osteopenia = "osteopenia";
    public const string Osteoporosis = "osteoporosis";

    /// <summary>BMD (mg/cm³) below which QCT reads osteoporosis.</summary>
    public const double OsteoporosisBelow = 80;

    /// <summary>BMD (mg/cm³) above which QCT reads normal; from <see cref="OsteoporosisBelow"/> to here is osteopenia.</summary>
    public const double NormalAbove = 120;

    public static IReadOnlyList<string> Names { get; } = [Normal, Osteopenia, Osteoporosis];
}
