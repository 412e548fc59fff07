"""PyTorch names numbatorch deliberately leaves out, each with the reason, and the one mechanism that makes them
raise ``NotImplementedError`` naming the PyTorch API.

``LEFT_OUT[namespace]`` maps a public PyTorch name to why it has no meaning here (quantization, sparse
compressed layouts, TorchScript internals, GPU-library kernels, ...). Reading such a name raises
:class:`~numbatorch._alias_import.MissingFeatureError` (a NotImplementedError that is also an AttributeError,
so ``hasattr`` probes answer False as for any absent feature): the module namespaces ask :func:`left_out_error`
from their ``__getattr__``, and ``torch.Tensor``'s names are properties that raise on access (a
``Tensor.__getattr__`` would slow every attribute read). ``tools/api_coverage.py`` lists this table in the
README as what is left out on purpose. Names that have a meaning on the CPU but are not written yet are not
here: they stay in ``tools/api_missing.txt``.
"""
from ._alias_import import MissingFeatureError

__all__ = ["LEFT_OUT", "left_out_error"]

_QUANTIZED = "quantized tensors, their dtypes and kernels are not supported"
_SPARSE_COMPRESSED = "sparse compressed layouts (CSR/CSC/BSR/BSC) are not supported; numbatorch has sparse COO"
_SPARSE_ONLY = ("a sparse-only operation; numbatorch's sparse COO tensors support construction, to_dense and "
                "sparse @ dense")
_TORCHSCRIPT = ("a TorchScript/JIT internal: numbatorch runs eagerly, and torch.jit's stand-ins cover the "
                "user-facing API")
_DISPATCHER = "an internal of PyTorch's C++ dispatcher, operator registry or monitoring"
_STORAGE = ("typed/untyped storages: a numbatorch tensor's memory is a numpy array (reach it through .numpy() "
            "or data_ptr())")
_GPU_KERNEL = ("a kernel entry point of a GPU or vendor library (cuDNN, MIOpen, oneDNN, FBGEMM, SyncBatchNorm's "
               "CUDA kernels) that PyTorch calls internally; use the public op")
_DEVICE = "an accelerator backend numbatorch does not have (it computes on the CPU)"
_SYMBOLIC = "symbolic shapes and graph export belong to torch.compile/torch.export; numbatorch runs eagerly"
_SUB_BYTE = "a bit-packed or sub-byte dtype that numpy arrays cannot hold"
_COMPLEX_HALF = "complex32 (chalf) has no numpy storage type, so numbatorch has no complex32 tensors"
_NESTED = "nested (jagged) tensors are not supported"
_HUB = "torch.hub downloads code and weights from the network; load weights with numbatorch.load"
_PACKAGE = "torch.package archives hold TorchScript and pickled code for PyTorch's own loader"
_VIEW_REPLAY = ("an internal of PyTorch's functionalization pass (the view that undoes a slice, on shared storage); "
                "use slice_scatter")
_FIRST_CLASS_DIMS = "first-class dimensions (functorch.dim) are not supported"
_LIBTORCH = ("a helper of PyTorch's own build and packaging (the C++ ABI of its extensions, its multiprocessing "
             "and file-path setup)")

_GROUPS = {
    "torch": {
        _QUANTIZED: """ao choose_qparams_optimized dequantize empty_quantized fake_quantize_per_channel_affine
            fake_quantize_per_tensor_affine fbgemm_linear_fp16_weight fbgemm_linear_fp16_weight_fp32_activation
            fbgemm_linear_int8_weight fbgemm_linear_int8_weight_fp32_activation fbgemm_linear_quantize_weight
            fbgemm_pack_gemm_matrix_fp16 fbgemm_pack_quantized_matrix fused_moving_avg_obs_fake_quant int_repr
            per_channel_affine per_channel_affine_float_qparams per_channel_symmetric per_tensor_affine
            per_tensor_symmetric q_per_channel_axis q_per_channel_scales q_per_channel_zero_points q_scale
            q_zero_point qint32 qint8 qscheme quantization quantize_per_channel quantize_per_tensor
            quantize_per_tensor_dynamic quantized_batch_norm quantized_gru quantized_gru_cell quantized_lstm
            quantized_lstm_cell quantized_max_pool1d quantized_max_pool2d quantized_max_pool3d
            quantized_rnn_relu_cell quantized_rnn_tanh_cell quint2x4 quint4x2 quint8 QInt32Storage QInt8Storage
            QUInt2x4Storage QUInt4x2Storage QUInt8Storage""",
        _SPARSE_COMPRESSED: """ccol_indices_copy col_indices_copy crow_indices_copy row_indices_copy sparse_bsc
            sparse_bsc_tensor sparse_bsr sparse_bsr_tensor sparse_compressed_tensor sparse_csc sparse_csc_tensor
            sparse_csr sparse_csr_tensor""",
        _SPARSE_ONLY: "dsmm hsmm hspmm indices_copy native_norm resize_as_sparse_ saddmm smm sspaddmm values_copy",
        _TORCHSCRIPT: """AliasDb AnyType Argument ArgumentSpec AwaitType BenchmarkConfig BenchmarkExecutionStats
            Block BoolType BufferDict CallStack Capsule ClassType Code CompilationUnit CompleteArgumentSpec
            ComplexType ConcreteModuleType ConcreteModuleTypeBuilder DeepCopyMemoTable DeviceObjType DictType
            EnumType ErrorReport ExecutionPlan FileCheck FloatType FunctionSchema Future FutureType Gradient Graph
            GraphExecutorState IODescriptor InferredType IntType InterfaceType JITException ListType
            LiteScriptModule ModuleDict Node NoneType NumberType OptionalType ParameterDict PyObjectType RRefType
            ScriptClass ScriptClassFunction ScriptDict ScriptDictIterator ScriptDictKeyIterator ScriptFunction
            ScriptList ScriptListIterator ScriptMethod ScriptModule ScriptModuleSerializer ScriptObject
            ScriptObjectProperty StaticModule StreamObjType StringType SymBoolType SymIntType TensorType
            ThroughputBenchmark TracingState TupleType Type UnionType Use Value classes fork futures
            import_ir_module import_ir_module_from_buffer merge_type_from_type_comment parse_ir parse_schema
            parse_type_comment unify_type_list wait""",
        _DISPATCHER: """AVG AggregationType DisableTorchFunction DisableTorchFunctionSubclass DispatchKey
            DispatchKeySet ExcludeDispatchKeyGuard LockingLogger LoggerBase NoopLogger OperatorInfo PRIVATE_OPS
            SUM Tag library monitor ops overrides""",
        _STORAGE: """BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage ComplexFloatStorage
            DeserializationStorageContext DoubleStorage FloatStorage HalfStorage IntStorage LongStorage
            PyTorchFileReader PyTorchFileWriter SerializationStorageContext ShortStorage Storage StorageBase
            TypedStorage UntypedStorage from_file storage""",
        _GPU_KERNEL: """batch_norm_backward_elemt batch_norm_backward_reduce batch_norm_elemt batch_norm_gather_stats
            batch_norm_gather_stats_with_counts batch_norm_stats batch_norm_update_stats cudnn_affine_grid_generator
            cudnn_batch_norm cudnn_convolution cudnn_convolution_add_relu cudnn_convolution_relu
            cudnn_convolution_transpose cudnn_grid_sampler cudnn_is_acceptable miopen_batch_norm miopen_convolution
            miopen_convolution_add_relu miopen_convolution_relu miopen_convolution_transpose miopen_ctc_loss
            miopen_depthwise_convolution miopen_rnn mkldnn_adaptive_avg_pool2d mkldnn_convolution
            mkldnn_linear_backward_weights mkldnn_max_pool2d mkldnn_max_pool3d mkldnn_rnn_layer
            profiler_allow_cudagraph_cupti_lazy_reinit_cuda12""",
        _DEVICE: "Event Stream mps mtia xpu",
        _SYMBOLIC: """SymBool SymFloat SymInt export sym_constrain_range sym_constrain_range_for_size
            sym_fresh_size""",
        _SUB_BYTE: """bit bits16 bits1x8 bits2x4 bits4x2 bits8 float4_e2m1fn_x2 float8_e8m0fnu int1 int2 int3 int4
            int5 int6 int7 uint1 uint2 uint3 uint4 uint5 uint6 uint7""",
        _NESTED: "jagged nested",
        _HUB: "hub",
        _PACKAGE: "package",
        _LIBTORCH: "compiled_with_cxx11_abi get_file_path prepare_multiprocessing_environment",
        _VIEW_REPLAY: "slice_inverse",
    },
    "torch.Tensor": {
        _QUANTIZED: """dequantize int_repr q_per_channel_axis q_per_channel_scales q_per_channel_zero_points
            q_scale q_zero_point qscheme""",
        _SPARSE_COMPRESSED: """ccol_indices col_indices crow_indices row_indices to_sparse_bsc to_sparse_bsr
            to_sparse_csc to_sparse_csr""",
        _SPARSE_ONLY: "resize_as_sparse_ smm sparse_mask sparse_resize_ sparse_resize_and_clear_ sspaddmm",
        _STORAGE: "storage storage_type untyped_storage",
        _GPU_KERNEL: "to_mkldnn",
        _DEVICE: "ipu mtia record_stream xpu",
        _NESTED: "to_padded_tensor",
        _VIEW_REPLAY: "slice_inverse",
        _FIRST_CLASS_DIMS: "index",
        _COMPLEX_HALF: "chalf",
    },
    "torch.nn": {
        _QUANTIZED: "intrinsic qat quantizable quantized",
    },
    "torch.nn.functional": {
        _GPU_KERNEL: "ScalingType SwizzleType grouped_mm scaled_grouped_mm scaled_mm",
    },
}

LEFT_OUT = {namespace: {name: reason for reason, names in groups.items() for name in names.split()}
            for namespace, groups in _GROUPS.items()}


def left_out_error(namespace, name, module_name=None):
    """The error for reading PyTorch's ``namespace.name``: MissingFeatureError naming it with the reason when it is
    left out on purpose, else the AttributeError Python raises for an absent attribute of module ``module_name``."""
    reason = LEFT_OUT.get(namespace, {}).get(name)
    if reason is None:
        return AttributeError(f"module '{module_name or namespace}' has no attribute '{name}'")
    return MissingFeatureError(f"numbatorch does not implement {namespace}.{name}: {reason}")


def _tensor_placeholder(name):
    def raise_left_out(self):
        raise left_out_error("torch.Tensor", name)
    raise_left_out.__name__ = name
    raise_left_out.__doc__ = f"Left out of numbatorch: {LEFT_OUT['torch.Tensor'][name]}."
    return property(raise_left_out)


def _attach_tensor_placeholders():
    from ._tensor import Tensor
    for name in LEFT_OUT["torch.Tensor"]:
        if name not in vars(Tensor):
            setattr(Tensor, name, _tensor_placeholder(name))


_attach_tensor_placeholders()
