/**
 * Shapes of the TensorFlow messages graft uses most, as protobufjs decodes them
 * from graft's schema: TensorFlow's snake_case field names, int64 as
 * `Long | number`, bytes as `Uint8Array`, enums as numbers (`DataType` values).
 *
 * Every scalar and message field is optional: proto3 does not record absent
 * fields, and a hand-built object may leave them out. (A decoded message still
 * reads an absent scalar as its default, '' / 0 / false, through its prototype;
 * an absent message field reads as null or undefined.) Repeated and map fields
 * are always present on decoded messages but optional on hand-built ones.
 *
 * `$unknowns` holds the raw bytes of fields the schema does not know; keep it
 * when copying a message if the copy should re-encode to the same bytes.
 */
import type Long from 'long';

/** An int64 as decoded (Long) or as set by hand (a safe-integer number). */
export type Int64 = Long | number;

/** Raw unknown fields kept by decodeMessage. */
export interface WithUnknowns {
  $unknowns?: Uint8Array[];
}

/** tensorflow.TensorShapeProto.Dim */
export interface TensorShapeDimMsg extends WithUnknowns {
  size?: Int64; // -1 = unknown
  name?: string;
}

/** tensorflow.TensorShapeProto */
export interface TensorShapeProtoMsg extends WithUnknowns {
  dim?: TensorShapeDimMsg[];
  unknown_rank?: boolean;
}

/** tensorflow.ResourceHandleProto.DtypeAndShape */
export interface DtypeAndShapeMsg extends WithUnknowns {
  dtype?: number;
  shape?: TensorShapeProtoMsg | null;
}

/** tensorflow.ResourceHandleProto */
export interface ResourceHandleProtoMsg extends WithUnknowns {
  device?: string;
  container?: string;
  name?: string;
  hash_code?: Int64;
  maybe_type_name?: string;
  dtypes_and_shapes?: DtypeAndShapeMsg[];
}

/** tensorflow.VariantTensorDataProto */
export interface VariantTensorDataProtoMsg extends WithUnknowns {
  type_name?: string;
  metadata?: Uint8Array;
  tensors?: TensorProtoMsg[];
}

/** tensorflow.TensorProto */
export interface TensorProtoMsg extends WithUnknowns {
  dtype?: number;
  tensor_shape?: TensorShapeProtoMsg | null;
  version_number?: number;
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  scomplex_val?: number[];
  int64_val?: Int64[];
  bool_val?: boolean[];
  dcomplex_val?: number[];
  resource_handle_val?: ResourceHandleProtoMsg[];
  variant_val?: VariantTensorDataProtoMsg[];
  uint32_val?: number[];
  uint64_val?: Int64[];
  float8_val?: Uint8Array;
}

/** tensorflow.NameAttrList */
export interface NameAttrListMsg extends WithUnknowns {
  name?: string;
  attr?: Record<string, AttrValueMsg>;
}

/** tensorflow.AttrValue.ListValue */
export interface AttrListValueMsg extends WithUnknowns {
  s?: Uint8Array[];
  i?: Int64[];
  f?: number[];
  b?: boolean[];
  type?: number[];
  shape?: TensorShapeProtoMsg[];
  tensor?: TensorProtoMsg[];
  func?: NameAttrListMsg[];
}

/** Which member of AttrValue's `value` oneof is set. */
export type AttrValueKind = 's' | 'i' | 'f' | 'b' | 'type' | 'shape' | 'tensor' | 'list' | 'func' | 'placeholder';

/**
 * tensorflow.AttrValue. One member is set; on a decoded message the virtual
 * `value` property names it.
 */
export interface AttrValueMsg extends WithUnknowns {
  s?: Uint8Array;
  i?: Int64;
  f?: number;
  b?: boolean;
  type?: number;
  shape?: TensorShapeProtoMsg | null;
  tensor?: TensorProtoMsg | null;
  list?: AttrListValueMsg | null;
  func?: NameAttrListMsg | null;
  placeholder?: string;
  /** Present on decoded messages: the name of the member that is set. */
  readonly value?: AttrValueKind;
}

/** tensorflow.FullTypeDef */
export interface FullTypeDefMsg extends WithUnknowns {
  type_id?: number;
  args?: FullTypeDefMsg[];
  s?: string;
  i?: Int64;
}

/** tensorflow.NodeDef.ExperimentalDebugInfo */
export interface NodeDebugInfoMsg extends WithUnknowns {
  original_node_names?: string[];
  original_func_names?: string[];
}

/** tensorflow.NodeDef */
export interface NodeDefMsg extends WithUnknowns {
  name?: string;
  op?: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValueMsg>;
  experimental_debug_info?: NodeDebugInfoMsg | null;
  experimental_type?: FullTypeDefMsg | null;
}

/** tensorflow.VersionDef */
export interface VersionDefMsg extends WithUnknowns {
  producer?: number;
  min_consumer?: number;
  bad_consumers?: number[];
}

/** tensorflow.OpDef.ArgDef */
export interface ArgDefMsg extends WithUnknowns {
  name?: string;
  description?: string;
  type?: number;
  type_attr?: string;
  number_attr?: string;
  type_list_attr?: string;
  handle_data?: DtypeAndShapeMsg[];
  is_ref?: boolean;
  experimental_full_type?: FullTypeDefMsg | null;
}

/** tensorflow.OpDef.AttrDef */
export interface AttrDefMsg extends WithUnknowns {
  name?: string;
  type?: string;
  default_value?: AttrValueMsg | null;
  description?: string;
  has_minimum?: boolean;
  minimum?: Int64;
  allowed_values?: AttrValueMsg | null;
}

/** tensorflow.OpDeprecation */
export interface OpDeprecationMsg extends WithUnknowns {
  version?: number;
  explanation?: string;
}

/** tensorflow.OpDef */
export interface OpDefMsg extends WithUnknowns {
  name?: string;
  input_arg?: ArgDefMsg[];
  output_arg?: ArgDefMsg[];
  control_output?: string[];
  attr?: AttrDefMsg[];
  deprecation?: OpDeprecationMsg | null;
  summary?: string;
  description?: string;
  is_commutative?: boolean;
  is_aggregate?: boolean;
  is_stateful?: boolean;
  allows_uninitialized_input?: boolean;
  is_distributed_communication?: boolean;
}

/** tensorflow.OpList */
export interface OpListMsg extends WithUnknowns {
  op?: OpDefMsg[];
}

/** tensorflow.FunctionDef.ArgAttrs */
export interface ArgAttrsMsg extends WithUnknowns {
  attr?: Record<string, AttrValueMsg>;
}

/** tensorflow.FunctionDef */
export interface FunctionDefMsg extends WithUnknowns {
  signature?: OpDefMsg | null;
  attr?: Record<string, AttrValueMsg>;
  /** Keyed by argument index (a numeric string as an object key). */
  arg_attr?: Record<string, ArgAttrsMsg>;
  resource_arg_unique_id?: Record<string, number>;
  node_def?: NodeDefMsg[];
  ret?: Record<string, string>;
  control_ret?: Record<string, string>;
}

/** tensorflow.GradientDef */
export interface GradientDefMsg extends WithUnknowns {
  function_name?: string;
  gradient_func?: string;
}

/** tensorflow.RegisteredGradient */
export interface RegisteredGradientMsg extends WithUnknowns {
  gradient_func?: string;
  registered_op_type?: string;
}

/** tensorflow.FunctionDefLibrary */
export interface FunctionDefLibraryMsg extends WithUnknowns {
  function?: FunctionDefMsg[];
  gradient?: GradientDefMsg[];
  registered_gradients?: RegisteredGradientMsg[];
}

/** tensorflow.GraphDebugInfo (kept opaque beyond its file list). */
export interface GraphDebugInfoMsg extends WithUnknowns {
  files?: string[];
  [field: string]: unknown;
}

/** tensorflow.GraphDef */
export interface GraphDefMsg extends WithUnknowns {
  node?: NodeDefMsg[];
  versions?: VersionDefMsg | null;
  /** Deprecated pre-VersionDef stamp. */
  version?: number;
  library?: FunctionDefLibraryMsg | null;
  debug_info?: GraphDebugInfoMsg | null;
}

/** tensorflow.SaveSliceInfoDef */
export interface SaveSliceInfoDefMsg extends WithUnknowns {
  full_name?: string;
  full_shape?: Int64[];
  var_offset?: Int64[];
  var_shape?: Int64[];
}

/** tensorflow.VariableDef */
export interface VariableDefMsg extends WithUnknowns {
  variable_name?: string;
  initial_value_name?: string;
  initializer_name?: string;
  snapshot_name?: string;
  save_slice_info_def?: SaveSliceInfoDefMsg | null;
  is_resource?: boolean;
  trainable?: boolean;
  synchronization?: number;
  aggregation?: number;
}

/** tensorflow.SaverDef */
export interface SaverDefMsg extends WithUnknowns {
  filename_tensor_name?: string;
  save_tensor_name?: string;
  restore_op_name?: string;
  max_to_keep?: number;
  sharded?: boolean;
  keep_checkpoint_every_n_hours?: number;
  /** 0 LEGACY, 1 V1, 2 V2 */
  version?: number;
}

/** google.protobuf.Any */
export interface AnyMsg extends WithUnknowns {
  type_url?: string;
  value?: Uint8Array;
}

/** tensorflow.MetaGraphDef.MetaInfoDef */
export interface MetaInfoDefMsg extends WithUnknowns {
  meta_graph_version?: string;
  stripped_op_list?: OpListMsg | null;
  any_info?: AnyMsg | null;
  tags?: string[];
  tensorflow_version?: string;
  tensorflow_git_version?: string;
  stripped_default_attrs?: boolean;
  function_aliases?: Record<string, string>;
}

/** tensorflow.CollectionDef: one list kind is set. */
export interface CollectionDefMsg extends WithUnknowns {
  node_list?: { value?: string[] } | null;
  bytes_list?: { value?: Uint8Array[] } | null;
  int64_list?: { value?: Int64[] } | null;
  float_list?: { value?: number[] } | null;
  any_list?: { value?: AnyMsg[] } | null;
  /** Present on decoded messages: the name of the list kind that is set. */
  readonly kind?: 'node_list' | 'bytes_list' | 'int64_list' | 'float_list' | 'any_list';
}

/** tensorflow.TensorInfo.CooSparse */
export interface CooSparseMsg extends WithUnknowns {
  values_tensor_name?: string;
  indices_tensor_name?: string;
  dense_shape_tensor_name?: string;
}

/** tensorflow.TensorInfo.CompositeTensor */
export interface CompositeTensorMsg extends WithUnknowns {
  type_spec?: TypeSpecProtoMsg | null;
  components?: TensorInfoMsg[];
}

/** tensorflow.TensorInfo: a dense name, or a sparse / composite encoding. */
export interface TensorInfoMsg extends WithUnknowns {
  name?: string;
  coo_sparse?: CooSparseMsg | null;
  composite_tensor?: CompositeTensorMsg | null;
  dtype?: number;
  tensor_shape?: TensorShapeProtoMsg | null;
  /** Present on decoded messages: which encoding is set. */
  readonly encoding?: 'name' | 'coo_sparse' | 'composite_tensor';
}

/** tensorflow.SignatureDef */
export interface SignatureDefMsg extends WithUnknowns {
  inputs?: Record<string, TensorInfoMsg>;
  outputs?: Record<string, TensorInfoMsg>;
  method_name?: string;
  defaults?: Record<string, TensorProtoMsg>;
}

/** tensorflow.AssetFileDef */
export interface AssetFileDefMsg extends WithUnknowns {
  tensor_info?: TensorInfoMsg | null;
  filename?: string;
}

/** tensorflow.TypeSpecProto (type_state kept loose). */
export interface TypeSpecProtoMsg extends WithUnknowns {
  type_spec_class?: number;
  type_state?: StructuredValueMsg | null;
  type_spec_class_name?: string;
  num_flat_components?: number;
}

/**
 * tensorflow.StructuredValue, loosely typed: one `kind` member is set
 * (`none_value`, `float64_value`, `list_value`, `dict_value`, `tensor_spec_value`...).
 */
export interface StructuredValueMsg extends WithUnknowns {
  readonly kind?: string;
  [field: string]: unknown;
}

/** tensorflow.SavedConcreteFunction */
export interface SavedConcreteFunctionMsg extends WithUnknowns {
  bound_inputs?: number[];
  canonicalized_input_signature?: StructuredValueMsg | null;
  output_signature?: StructuredValueMsg | null;
}

/** tensorflow.TrackableObjectGraph.TrackableObject.ObjectReference */
export interface ObjectReferenceMsg extends WithUnknowns {
  node_id?: number;
  local_name?: string;
}

/**
 * tensorflow.SavedObject, loosely typed: `kind` names the member that is set
 * (`user_object`, `variable`, `function`, `bare_concrete_function`, `asset`,
 * `constant`, `resource`, `captured_tensor`).
 */
export interface SavedObjectMsg extends WithUnknowns {
  children?: ObjectReferenceMsg[];
  dependencies?: ObjectReferenceMsg[];
  slot_variables?: { original_variable_node_id?: number; slot_name?: string; slot_variable_node_id?: number }[];
  readonly kind?: string;
  [field: string]: unknown;
}

/** tensorflow.SavedObjectGraph (loosely typed below the node level). */
export interface SavedObjectGraphMsg extends WithUnknowns {
  nodes?: SavedObjectMsg[];
  concrete_functions?: Record<string, SavedConcreteFunctionMsg>;
}

/** tensorflow.MetaGraphDef */
export interface MetaGraphDefMsg extends WithUnknowns {
  meta_info_def?: MetaInfoDefMsg | null;
  graph_def?: GraphDefMsg | null;
  saver_def?: SaverDefMsg | null;
  collection_def?: Record<string, CollectionDefMsg>;
  signature_def?: Record<string, SignatureDefMsg>;
  asset_file_def?: AssetFileDefMsg[];
  object_graph_def?: SavedObjectGraphMsg | null;
}

/** tensorflow.SavedModel */
export interface SavedModelMsg extends WithUnknowns {
  saved_model_schema_version?: Int64;
  meta_graphs?: MetaGraphDefMsg[];
}

/** tensorflow.TensorSliceProto.Extent; no `length` means the whole dimension. */
export interface TensorSliceExtentMsg extends WithUnknowns {
  start?: Int64;
  length?: Int64;
}

/** tensorflow.TensorSliceProto */
export interface TensorSliceProtoMsg extends WithUnknowns {
  extent?: TensorSliceExtentMsg[];
}

/** tensorflow.BundleHeaderProto */
export interface BundleHeaderProtoMsg extends WithUnknowns {
  num_shards?: number;
  /** 0 LITTLE, 1 BIG */
  endianness?: number;
  version?: VersionDefMsg | null;
}

/** tensorflow.BundleEntryProto */
export interface BundleEntryProtoMsg extends WithUnknowns {
  dtype?: number;
  shape?: TensorShapeProtoMsg | null;
  shard_id?: number;
  offset?: Int64;
  size?: Int64;
  /** Masked crc32c, as an unsigned 32-bit number. */
  crc32c?: number;
  slices?: TensorSliceProtoMsg[];
}

/** tensorflow.TrackableObjectGraph.TrackableObject.SerializedTensor */
export interface SerializedTensorMsg extends WithUnknowns {
  name?: string;
  full_name?: string;
  checkpoint_key?: string;
}

/** tensorflow.TrackableObjectGraph.TrackableObject */
export interface TrackableObjectMsg extends WithUnknowns {
  children?: ObjectReferenceMsg[];
  attributes?: SerializedTensorMsg[];
  slot_variables?: { original_variable_node_id?: number; slot_name?: string; slot_variable_node_id?: number }[];
  registered_saver?: { name?: string; object_name?: string } | null;
  has_checkpoint_values?: { value?: boolean } | null;
}

/** tensorflow.TrackableObjectGraph */
export interface TrackableObjectGraphMsg extends WithUnknowns {
  nodes?: TrackableObjectMsg[];
}

/** tensorflow.BytesList */
export interface BytesListMsg extends WithUnknowns {
  value?: Uint8Array[];
}

/** tensorflow.FloatList */
export interface FloatListMsg extends WithUnknowns {
  value?: number[];
}

/** tensorflow.Int64List */
export interface Int64ListMsg extends WithUnknowns {
  value?: Int64[];
}

/** tensorflow.Feature: at most one of the three lists is set (`kind` names it on decoded messages). */
export interface FeatureMsg extends WithUnknowns {
  bytes_list?: BytesListMsg | null;
  float_list?: FloatListMsg | null;
  int64_list?: Int64ListMsg | null;
  kind?: 'bytes_list' | 'float_list' | 'int64_list';
}

/** tensorflow.Features */
export interface FeaturesMsg extends WithUnknowns {
  feature?: Record<string, FeatureMsg>;
}

/** tensorflow.FeatureList */
export interface FeatureListMsg extends WithUnknowns {
  feature?: FeatureMsg[];
}

/** tensorflow.FeatureLists */
export interface FeatureListsMsg extends WithUnknowns {
  feature_list?: Record<string, FeatureListMsg>;
}

/** tensorflow.Example */
export interface ExampleMsg extends WithUnknowns {
  features?: FeaturesMsg | null;
}

/** tensorflow.SequenceExample */
export interface SequenceExampleMsg extends WithUnknowns {
  context?: FeaturesMsg | null;
  feature_lists?: FeatureListsMsg | null;
}
