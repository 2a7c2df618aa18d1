using Microsoft.ML.Data;

namespace OsteoML.Pipelines.Measurement;

/// <summary>Columns MeasureTrabecularBone adds. Vector layouts are in <see cref="MeasureColumns"/>.</summary>
public sealed class MeasureTrabecularBoneOutput
{
    /// <summary>L1 and L2 were identified and measured; false rows carry no BMD.</summary>
    public bool Measurable { get; set; }

    /// <summary>QA flags, ';'-separated (<see cref="QaFlags"/>).</summary>
    public string QaFlags { get; set; } = "";

    public string LevelReason { get; set; } = "";

    [VectorType(MeasureColumns.LevelMeasureCount)]
    public float[] LevelMeasures { get; set; } = new float[MeasureColumns.LevelMeasureCount];

    /// <summary>Mean of the L1 and L2 trabecular mean HU (the HU baseline's input).</summary>
    public float L1L2MeanHu { get; set; }

    [VectorType(MeasureColumns.TissueCount)]
    public float[] TissueHu { get; set; } = new float[MeasureColumns.TissueCount];

    [VectorType(MeasureColumns.AcquisitionCount)]
    public float[] Acquisition { get; set; } = new float[MeasureColumns.AcquisitionCount];

    public float TiltDegrees { get; set; }
    public float MetalCm3 { get; set; }
}
