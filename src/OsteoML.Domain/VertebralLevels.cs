namespace OsteoML.Domain;

/// <summary>The modelled levels in order, and what each one is (thoracic, rib-bearing, the level below).</summary>
public static class VertebralLevels
{
    public static IReadOnlyList<VertebralLevel> All { get; } = Enum.GetValues<VertebralLevel>();

    public static int Count => All.Count;

    public static bool IsThoracic(this VertebralLevel level) => level <= VertebralLevel.T12;

    public static bool HasRibs(this VertebralLevel level) => level.IsThoracic();

    /// <summary>The level below, or "S1" below L5 (the sacrum closes the modelled column).</summary>
    public static string NameBelow(this VertebralLevel level) => level == VertebralLevel.L5 ? "S1" : (level + 1).ToString();
}
