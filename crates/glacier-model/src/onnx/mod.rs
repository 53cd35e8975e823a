//! The U-Net as an ONNX model, so other runtimes (ONNX Runtime, QGIS plugins, Python) run the
//! network this project trained, and so `cargo xtask bench-model` times ONNX Runtime beside burn
//! on the same weights.
//!
//! The graph takes the *normalised* input (`input`, `[batch, channels, height, width]`, height
//! and width multiples of `2^depth`) and gives `probability`, the sigmoid of each output logit.
//! Weights are f32 (for a quantised model: its dequantised values, the numbers burn computes with).
//! Operators are ONNX opset 17: `Conv`, `BatchNormalization`, `Relu`, `GlobalAveragePool`,
//! `Flatten`, `Gemm`, `Sigmoid`, `Unsqueeze`, `Mul`, `Max`/`Add`, `MaxPool`, `ConvTranspose`,
//! `Concat`.

pub mod proto;

use burn::module::Param;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{BatchNorm, Linear, PaddingConfig2d};
use burn::tensor::Tensor;
use prost::Message;

use crate::SegNet;
use crate::scse::{ScSe, ScSeCombine};
use crate::unet::{ConvBlock, UNet};
use proto::{
    AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TensorTypeProto, TypeProto,
    ValueInfoProto,
};

/// The ONNX operator set the graph is written for.
pub const OPSET: i64 = 17;

/// Why a network could not be written as ONNX.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The network kind has no ONNX writer.
    #[error("{0} cannot be exported to ONNX yet (only the U-Net can)")]
    Unsupported(&'static str),
    /// A weight tensor could not be read back from its device.
    #[error("cannot read weight {name} from its device: {detail}")]
    Read {
        /// Initializer name.
        name: String,
        /// What the backend said.
        detail: String,
    },
}

/// `net` as ONNX protobuf bytes. `metadata` becomes the model's `metadata_props` (the caller
/// records there what the input channels are and how to normalise them). Reads the weights
/// synchronously: call it with the network on a native device.
///
/// # Errors
/// [`OnnxError::Unsupported`] for the 3D CNN, [`OnnxError::Read`] when a weight cannot be read.
pub fn to_onnx(
    net: &SegNet,
    name: &str,
    metadata: &[(String, String)],
) -> Result<Vec<u8>, OnnxError> {
    let SegNet::UNet(unet) = net else {
        return Err(OnnxError::Unsupported("the 3D CNN (spectral3d)"));
    };
    let mut g = Graph::default();
    let channels = unet.encoders.first().map_or_else(
        || unet.bottleneck.conv1.weight.val().dims()[1],
        |e| e.conv1.weight.val().dims()[1],
    );
    let logits = unet_graph(&mut g, unet, "input".into())?;
    let out_channels = unet.head.weight.val().dims()[0];
    let probability = g.named_node("Sigmoid", vec![logits], vec![], "probability");
    let graph = GraphProto {
        node: g.nodes,
        name: name.to_owned(),
        initializer: g.initializers,
        input: vec![value_info("input", &Shape::input(channels))],
        output: vec![value_info(&probability, &Shape::input(out_channels))],
    };
    let model = ModelProto {
        ir_version: 8,
        producer_name: "glacier (burn)".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        model_version: 1,
        doc_string: format!(
            "{name}: U-Net with scSE blocks. Input: normalised channels; output: glacier probability."
        ),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        metadata_props: metadata
            .iter()
            .map(|(key, value)| StringStringEntryProto {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    };
    Ok(model.encode_to_vec())
}

/// `[batch, channels, height, width]` with the varying dimensions named.
struct Shape(Vec<Dimension>);

impl Shape {
    fn input(channels: usize) -> Shape {
        let named = |n: &str| Dimension {
            dim_value: None,
            dim_param: Some(n.into()),
        };
        Shape(vec![
            named("batch"),
            Dimension {
                dim_value: Some(channels as i64),
                dim_param: None,
            },
            named("height"),
            named("width"),
        ])
    }
}

fn value_info(name: &str, shape: &Shape) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: proto::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: shape.0.clone(),
                }),
            }),
        }),
    }
}

/// Nodes and initializers being written, with unique value names.
#[derive(Default)]
struct Graph {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    count: usize,
}

impl Graph {
    /// Adds `op` on `inputs`; returns its output's name (`output`, made unique).
    fn node(
        &mut self,
        op: &str,
        inputs: Vec<String>,
        attribute: Vec<AttributeProto>,
        output: &str,
    ) -> String {
        let out = format!("{output}/{op}_{}", self.count + 1);
        self.named_node(op, inputs, attribute, &out)
    }

    /// Adds `op` on `inputs` with its output named exactly `output` (a graph output's name).
    fn named_node(
        &mut self,
        op: &str,
        inputs: Vec<String>,
        attribute: Vec<AttributeProto>,
        output: &str,
    ) -> String {
        self.count += 1;
        let out = output.to_owned();
        self.nodes.push(NodeProto {
            input: inputs,
            output: vec![out.clone()],
            name: format!("{op}_{}", self.count),
            op_type: op.into(),
            attribute,
        });
        out
    }

    /// Adds a float initializer holding `tensor`; returns its name.
    fn weight<const D: usize>(
        &mut self,
        name: &str,
        tensor: Tensor<D>,
    ) -> Result<String, OnnxError> {
        let dims = tensor.dims().iter().map(|&d| d as i64).collect();
        let values = tensor
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| OnnxError::Read {
                name: name.into(),
                detail: format!("{e:?}"),
            })?;
        self.initializers.push(TensorProto {
            dims,
            data_type: proto::FLOAT,
            name: name.into(),
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        Ok(name.into())
    }

    /// Adds an int64 initializer; returns its name.
    fn ints(&mut self, name: &str, values: &[i64]) -> String {
        self.initializers.push(TensorProto {
            dims: vec![values.len() as i64],
            data_type: proto::INT64,
            name: name.into(),
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        });
        name.into()
    }

    fn param<const D: usize>(
        &mut self,
        name: &str,
        p: &Param<Tensor<D>>,
    ) -> Result<String, OnnxError> {
        self.weight(name, p.val())
    }
}

fn int_list(name: &str, values: &[usize]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        ints: values.iter().map(|&v| v as i64).collect(),
        r#type: 7,
        ..Default::default()
    }
}

fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        i: value,
        r#type: 2,
        ..Default::default()
    }
}

fn float(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: value,
        r#type: 1,
        ..Default::default()
    }
}

/// ONNX `pads` (`[top, left, bottom, right]`) of a convolution with odd kernels and stride 1, as
/// the U-Net uses; `Same` pads `(k - 1) / 2` on every side.
fn pads(padding: &PaddingConfig2d, kernel: [usize; 2]) -> [usize; 4] {
    match padding {
        PaddingConfig2d::Same => {
            let (h, w) = ((kernel[0] - 1) / 2, (kernel[1] - 1) / 2);
            [h, w, h, w]
        }
        PaddingConfig2d::Valid => [0; 4],
        PaddingConfig2d::Explicit(top, left, bottom, right) => [*top, *left, *bottom, *right],
    }
}

fn conv(g: &mut Graph, prefix: &str, c: &Conv2d, x: String) -> Result<String, OnnxError> {
    let mut inputs = vec![x, g.param(&format!("{prefix}.weight"), &c.weight)?];
    if let Some(b) = &c.bias {
        inputs.push(g.param(&format!("{prefix}.bias"), b)?);
    }
    let attributes = vec![
        int_list("kernel_shape", &c.kernel_size),
        int_list("pads", &pads(&c.padding, c.kernel_size)),
        int_list("strides", &c.stride),
        int_list("dilations", &c.dilation),
        int("group", c.groups as i64),
    ];
    Ok(g.node("Conv", inputs, attributes, prefix))
}

fn batch_norm(g: &mut Graph, prefix: &str, n: &BatchNorm, x: String) -> Result<String, OnnxError> {
    let inputs = vec![
        x,
        g.param(&format!("{prefix}.gamma"), &n.gamma)?,
        g.param(&format!("{prefix}.beta"), &n.beta)?,
        g.weight(&format!("{prefix}.running_mean"), n.running_mean.value())?,
        g.weight(&format!("{prefix}.running_var"), n.running_var.value())?,
    ];
    Ok(g.node(
        "BatchNormalization",
        inputs,
        vec![float("epsilon", n.epsilon as f32)],
        prefix,
    ))
}

fn linear(g: &mut Graph, prefix: &str, l: &Linear, x: String) -> Result<String, OnnxError> {
    // burn stores the weight as [d_input, d_output]: Gemm without transposition.
    let mut inputs = vec![x, g.param(&format!("{prefix}.weight"), &l.weight)?];
    if let Some(b) = &l.bias {
        inputs.push(g.param(&format!("{prefix}.bias"), b)?);
    }
    Ok(g.node("Gemm", inputs, vec![], prefix))
}

fn scse(g: &mut Graph, prefix: &str, s: &ScSe, x: String) -> Result<String, OnnxError> {
    let pooled = g.node("GlobalAveragePool", vec![x.clone()], vec![], prefix);
    let flat = g.node("Flatten", vec![pooled], vec![int("axis", 1)], prefix);
    let squeezed = linear(g, &format!("{prefix}.squeeze"), &s.squeeze, flat)?;
    let hidden = g.node("Relu", vec![squeezed], vec![], prefix);
    let excited = linear(g, &format!("{prefix}.excite"), &s.excite, hidden)?;
    let gate = g.node("Sigmoid", vec![excited], vec![], prefix);
    let axes = g.ints(&format!("{prefix}.gate_axes"), &[2, 3]);
    let gate = g.node("Unsqueeze", vec![gate, axes], vec![], prefix);
    let by_channel = g.node("Mul", vec![x.clone(), gate], vec![], prefix);
    let spatial = conv(g, &format!("{prefix}.spatial"), &s.spatial, x.clone())?;
    let spatial = g.node("Sigmoid", vec![spatial], vec![], prefix);
    let by_position = g.node("Mul", vec![x, spatial], vec![], prefix);
    let op = match s.combine {
        ScSeCombine::Max => "Max",
        ScSeCombine::Add => "Add",
    };
    Ok(g.node(op, vec![by_channel, by_position], vec![], prefix))
}

fn block(g: &mut Graph, prefix: &str, b: &ConvBlock, x: String) -> Result<String, OnnxError> {
    let mut x = conv(g, &format!("{prefix}.conv1"), &b.conv1, x)?;
    if let Some(n) = &b.norm1 {
        x = batch_norm(g, &format!("{prefix}.norm1"), n, x)?;
    }
    x = g.node("Relu", vec![x], vec![], prefix);
    x = conv(g, &format!("{prefix}.conv2"), &b.conv2, x)?;
    if let Some(n) = &b.norm2 {
        x = batch_norm(g, &format!("{prefix}.norm2"), n, x)?;
    }
    x = g.node("Relu", vec![x], vec![], prefix);
    scse(g, &format!("{prefix}.scse"), &b.scse, x)
}

fn up(g: &mut Graph, prefix: &str, u: &ConvTranspose2d, x: String) -> Result<String, OnnxError> {
    let mut inputs = vec![x, g.param(&format!("{prefix}.weight"), &u.weight)?];
    if let Some(b) = &u.bias {
        inputs.push(g.param(&format!("{prefix}.bias"), b)?);
    }
    let [ph, pw] = u.padding;
    let attributes = vec![
        int_list("kernel_shape", &u.kernel_size),
        int_list("strides", &u.stride),
        int_list("dilations", &u.dilation),
        int_list("pads", &[ph, pw, ph, pw]),
        int_list("output_padding", &u.padding_out),
        int("group", u.groups as i64),
    ];
    Ok(g.node("ConvTranspose", inputs, attributes, prefix))
}

/// The U-Net's nodes, in the order of [`UNet::forward`]; returns the logits' name.
fn unet_graph(g: &mut Graph, net: &UNet, input: String) -> Result<String, OnnxError> {
    let mut skips = Vec::new();
    let mut x = input;
    for (i, encoder) in net.encoders.iter().enumerate() {
        let features = block(g, &format!("encoders.{i}"), encoder, x)?;
        x = g.node(
            "MaxPool",
            vec![features.clone()],
            vec![
                int_list("kernel_shape", &net.pool.kernel_size),
                int_list("strides", &net.pool.stride),
            ],
            &format!("pool.{i}"),
        );
        skips.push(features);
    }
    x = block(g, "bottleneck", &net.bottleneck, x)?;
    for (i, (u, decoder)) in net.ups.iter().zip(&net.decoders).enumerate() {
        let upsampled = up(g, &format!("ups.{i}"), u, x.clone())?;
        let skip = skips.pop().unwrap_or_else(|| x.clone());
        let joined = g.node(
            "Concat",
            vec![upsampled, skip],
            vec![int("axis", 1)],
            &format!("decoders.{i}"),
        );
        x = block(g, &format!("decoders.{i}"), decoder, joined)?;
    }
    // Dropout is the identity at inference.
    conv(g, "head", &net.head, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UNetConfig, devices};
    use burn::module::Module;

    fn exported(combine: ScSeCombine) -> (ModelProto, usize) {
        let device = devices::cpu();
        let net = UNetConfig::new(3)
            .with_depth(2)
            .with_base_width(4)
            .with_scse_combine(combine)
            .init(&device);
        let params = net.num_params();
        let meta = [("glacier.input".to_owned(), "{}".to_owned())];
        let bytes = to_onnx(&SegNet::UNet(net), "tiny", &meta).expect("exports");
        (
            ModelProto::decode(bytes.as_slice()).expect("decodes"),
            params,
        )
    }

    #[test]
    fn the_graph_holds_every_weight_once_and_each_block_in_order() {
        let (model, params) = exported(ScSeCombine::Max);
        assert_eq!(model.opset_import[0].version, OPSET);
        assert_eq!(model.metadata_props[0].key, "glacier.input");
        let graph = model.graph.expect("graph");
        let floats: usize = graph
            .initializer
            .iter()
            .filter(|t| t.data_type == proto::FLOAT)
            .map(|t| {
                let n: i64 = t.dims.iter().product();
                assert_eq!(t.raw_data.len(), 4 * n as usize, "{}", t.name);
                n as usize
            })
            .sum();
        // Every float parameter, batch norm running statistics included (num_params counts them).
        assert_eq!(floats, params);
        let count = |op: &str| graph.node.iter().filter(|n| n.op_type == op).count();
        // 2 encoders + bottleneck + 2 decoders = 5 blocks: 2 convs each + 1 sSE conv, + head.
        assert_eq!(count("Conv"), 5 * 3 + 1);
        assert_eq!(count("BatchNormalization"), 10);
        assert_eq!(count("Max"), 5);
        assert_eq!(count("MaxPool"), 2);
        assert_eq!(count("ConvTranspose"), 2);
        assert_eq!(count("Concat"), 2);
        assert_eq!(count("Gemm"), 10);
        // Every node input is the graph input, an initializer or an earlier node's output.
        let mut known: Vec<&str> = vec!["input"];
        known.extend(graph.initializer.iter().map(|t| t.name.as_str()));
        for node in &graph.node {
            for input in &node.input {
                assert!(
                    known.contains(&input.as_str()),
                    "{} reads unknown {input}",
                    node.name
                );
            }
            known.extend(node.output.iter().map(String::as_str));
        }
        assert_eq!(
            graph.node.last().map(|n| n.output[0].as_str()),
            Some("probability")
        );
        assert_eq!(graph.output[0].name, "probability");
    }

    #[test]
    fn add_combination_writes_add_nodes() {
        let (model, _) = exported(ScSeCombine::Add);
        let graph = model.graph.expect("graph");
        assert_eq!(graph.node.iter().filter(|n| n.op_type == "Max").count(), 0);
        assert_eq!(graph.node.iter().filter(|n| n.op_type == "Add").count(), 5);
    }

    #[test]
    fn the_3d_cnn_is_refused_by_name() {
        let device = devices::cpu();
        let net = crate::Spectral3dCnnConfig::new(3).init(&device);
        let err = to_onnx(&SegNet::Spectral3d(net), "x", &[]).expect_err("unsupported");
        assert!(err.to_string().contains("3D CNN"), "{err}");
    }
}
