//! How one AWS operation is sent from a Step Functions Task state (`ripcord export`).

use crate::operation::Descriptor;
use serde_json::{Map, Value};

/// A Task's integration: its `Resource` and its `Parameters`, the request the live backend
/// sends with the names the plan resolved (`Step::resolved`). Each operation declares its own
/// ([`crate::Operation::step_functions`]), so an operation without one does not compile.
#[derive(Debug, Clone, PartialEq)]
pub struct SfnTask {
    /// `arn:aws:states:::aws-sdk:SERVICE:action`, or an optimized integration's ARN.
    pub resource: String,
    /// The request's parameters, in the API's PascalCase names.
    pub parameters: Map<String, Value>,
}

/// The prefix of every AWS SDK service integration.
pub const SDK_PREFIX: &str = "arn:aws:states:::aws-sdk:";

impl SfnTask {
    /// The AWS SDK service integration of the operation: its service and its API action in
    /// camelCase (`UpdateAutoScalingGroup` -> `updateAutoScalingGroup`), as Step Functions
    /// names them.
    pub fn sdk(descriptor: &Descriptor, parameters: Map<String, Value>) -> SfnTask {
        SfnTask {
            resource: sdk_resource(descriptor.service, descriptor.name),
            parameters,
        }
    }

    /// An optimized integration (`arn:aws:states:::sns:publish`).
    pub fn optimized(resource: &str, parameters: Map<String, Value>) -> SfnTask {
        SfnTask {
            resource: resource.to_string(),
            parameters,
        }
    }
}

/// `arn:aws:states:::aws-sdk:SERVICE:action` of an API action (`DescribeDBClusters`).
pub fn sdk_resource(service: &str, action: &str) -> String {
    format!("{SDK_PREFIX}{service}:{}", camel(action))
}

/// The operation's name with its first letter in lower case: Step Functions' action names.
fn camel(action: &str) -> String {
    let mut chars = action.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The operation's own serialized fields as parameters, without the region (a Task is sent
/// in the state machine's region) and with `rename` applied (`Volume` -> `VolumeId`).
pub fn fields_of<T: serde::Serialize>(op: &T, rename: &[(&str, &str)]) -> Map<String, Value> {
    // Serializing a plain data struct with string keys cannot fail; an empty map would only
    // hide parameters, never invent them.
    let mut map = match serde_json::to_value(op) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.shift_remove("Region");
    for (from, to) in rename {
        if let Some(value) = map.shift_remove(*from) {
            map.insert((*to).to_string(), value);
        }
    }
    map
}

/// Tags as the EC2 API takes them: a `TagSpecifications` entry for the created resource type.
pub fn ec2_tags(
    map: &mut Map<String, Value>,
    resource_type: &str,
    tags: &std::collections::BTreeMap<String, String>,
) {
    map.shift_remove("Tags");
    if !tags.is_empty() {
        map.insert(
            "TagSpecifications".into(),
            serde_json::json!([{ "ResourceType": resource_type, "Tags": key_values(tags) }]),
        );
    }
}

/// Tags as RDS takes them: a list of `Key`/`Value` pairs.
pub fn rds_tags(map: &mut Map<String, Value>, tags: &std::collections::BTreeMap<String, String>) {
    map.shift_remove("Tags");
    if !tags.is_empty() {
        map.insert("Tags".into(), key_values(tags));
    }
}

fn key_values(tags: &std::collections::BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| serde_json::json!({ "Key": k, "Value": v }))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_camel_case() {
        assert_eq!(
            sdk_resource("rds", "RemoveFromGlobalCluster"),
            "arn:aws:states:::aws-sdk:rds:removeFromGlobalCluster"
        );
        assert_eq!(
            sdk_resource("rds", "CreateDBSnapshot"),
            "arn:aws:states:::aws-sdk:rds:createDBSnapshot"
        );
    }
}
