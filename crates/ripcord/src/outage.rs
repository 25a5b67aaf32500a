//! `plan --down REGION [--global-up]`: the outage a dry-run is told of, added to its world.

use crate::cli::OutageArgs;
use crate::exit::Exit;
use ripcord_core::{Inventory, InventoryInfo, Outage};

/// Adds the outage of `args` to the inventory's `unreachable` list (and to what the plan says
/// it was made without). A malformed region name is refused: a typo would plan an outage of
/// nothing and look like good news.
pub fn apply(
    args: &OutageArgs,
    inventory: &mut Inventory,
    info: &mut InventoryInfo,
) -> Result<(), Exit> {
    for region in &args.down {
        if !ripcord_core::arn::is_region_name(region) {
            eprintln!("error: --down {region}: not a region name (like us-east-1)");
            return Err(Exit::BadInput);
        }
    }
    for entry in Outage::from_flags(&args.down, args.global_up) {
        let known = inventory
            .unreachable
            .iter()
            .any(|e| e.region == entry.region && e.service == entry.service);
        if !known {
            inventory.unreachable.push(entry);
        }
    }
    info.unreachable = inventory.unreachable.clone();
    Ok(())
}
