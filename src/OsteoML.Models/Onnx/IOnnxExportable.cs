namespace OsteoML.Models.Onnx;

/// <summary>A network part that writes its inference-mode computation into an ONNX graph, next to its forward pass.</summary>
public interface IOnnxExportable
{
    /// <summary>Adds this part's operators reading <paramref name="input"/>; returns the name of its output.</summary>
    string ExportOnnx(OnnxGraphBuilder graph, string input);
}
