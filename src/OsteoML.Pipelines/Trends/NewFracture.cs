namespace OsteoML.Pipelines.Trends;

/// <summary>A level whose Genant grade rose between two of the patient's studies (the earliest graded study and a later one).</summary>
public sealed record NewFracture(string Level, int FromGrade, int ToGrade, DateOnly FirstSeen);
