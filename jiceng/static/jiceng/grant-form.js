// 授予角色: show only the node picker the chosen role is granted on (area, org or department).
// The role select carries the mapping in data-role-nodes; without JavaScript all pickers show.
document.addEventListener("DOMContentLoaded", () => {
  const role = document.getElementById("id_role");
  if (!role || !role.dataset.roleNodes) return;
  const nodes = JSON.parse(role.dataset.roleNodes);
  const kinds = ["area", "org", "department"];
  const update = () => {
    const chosen = nodes[role.value];
    for (const kind of kinds) {
      const row = document.querySelector(`[data-field="${kind}"]`);
      if (row) row.hidden = Boolean(chosen) && chosen !== kind;
    }
  };
  role.addEventListener("change", update);
  update();
});
