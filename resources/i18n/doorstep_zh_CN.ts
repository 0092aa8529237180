<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AgentPickerDialog</name>
    <message numerus="yes">
        <location filename="../../app/ui/assign_dialogs.py" line="+37"/>
        <source>Assign %n case(s)</source>
        <translation>
            <numerusform>分配 %n 件案件</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agents</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unassigned queue (no agent)</source>
        <translation>待分配队列（不指定外访员）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Optional: why (kept with the assignment)</source>
        <translation>可选：原因（随分配一起保存）</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Give %n case(s) to:</source>
        <translation>
            <numerusform>将 %n 件案件分配给：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Reason:</source>
        <translation>原因(&amp;R)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Assign</source>
        <translation>分配(&amp;A)</translation>
    </message>
</context>
<context>
    <name>ApprovalsModel</name>
    <message>
        <location filename="../../app/ui/approvals_page.py" line="+210"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>ApprovalsPage</name>
    <message>
        <location line="-137"/>
        <source>Hardship relief</source>
        <translation>困难减免</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compliance override</source>
        <translation>合规例外</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flagged record</source>
        <translation>被标记的记录</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+175"/>
        <source>Waiting for a decision</source>
        <translation>待审批</translation>
    </message>
    <message>
        <location line="-174"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided here, waiting to upload</source>
        <translation>已在本机审批，等待上传</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided here, delivered</source>
        <translation>已在本机审批，已送达总部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided here, flagged by head office</source>
        <translation>已在本机审批，总部已标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head office refused the decision</source>
        <translation>总部拒收了此审批</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rules overridden</source>
        <translation>被例外的规则</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Override reason</source>
        <translation>例外理由</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overridden by</source>
        <translation>例外批准人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why head office flagged it</source>
        <translation>总部标记原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Channel</source>
        <translation>方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When it happened</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Record</source>
        <translation>记录类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relief details</source>
        <translation>减免详情</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hardship reason</source>
        <translation>困难原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visit recording (fingerprint)</source>
        <translation>上门录音录像（指纹）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>What is asked</source>
        <translation>申请事项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recorded</source>
        <translation>记录时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decided by</source>
        <translation>审批人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason given</source>
        <translation>审批理由</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your decision</source>
        <translation>您的审批</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office says</source>
        <translation>总部说明</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Decided</source>
        <translation>已审批</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;how:</source>
        <translation>显示(&amp;H)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Items to decide</source>
        <translation>待审批事项</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why you approve or reject (required; the agent sees it)</source>
        <translation>批准或驳回的理由（必填；外访员可见）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Reason:</source>
        <translation>理由(&amp;R)：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Approve</source>
        <translation>批准(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;ject</source>
        <translation>驳回(&amp;J)</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>No head office is configured.</source>
        <translation>尚未配置总部。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Saved list, fetched %1; asking head office…</source>
        <translation>已保存的列表（%1获取）；正在询问总部…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Asking head office…</source>
        <translation>正在询问总部…</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n item(s) from head office</source>
        <translation>
            <numerusform>总部返回 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(the first %1 of %2)</source>
        <translation>（共 %2 项，显示前 %1 项）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>fetched at %1.</source>
        <translation>获取于 %1。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Not updated: %1. No saved list yet; decisions made here still queue and upload with the next sync.</source>
        <translation>未更新：%1。尚无已保存的列表；在本机作出的审批仍会排队，并在下次同步时上传。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not updated: %1. Showing the list fetched %2; decisions made here queue and upload with the next sync.</source>
        <translation>未更新：%1。显示%2获取的列表；在本机作出的审批会排队，并在下次同步时上传。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>Nothing selected.</source>
        <translation>未选择任何事项。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 / %2 characters</source>
        <translation>%1 / %2 字</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Give a reason: the agent sees it with the decision.</source>
        <translation>请填写理由：外访员会随审批结果看到它。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reason is too long: at most %1 characters.</source>
        <translation>理由过长：最多 %1 字。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Decision saved on this laptop; it goes to head office with the next sync.</source>
        <translation>审批已保存在本机，将在下次同步时发送给总部。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>You already decided this item.</source>
        <translation>您已审批过此事项。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>The decision could not be saved: %1</source>
        <translation>无法保存审批：%1</translation>
    </message>
</context>
<context>
    <name>AssignCaseModel</name>
    <message>
        <location filename="../../app/ui/assign_case_table.py" line="+62"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who holds the case; a clock: an assignment waiting for head office</source>
        <translation>案件的当前外访员；时钟图标：分配正等待总部确认</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent #%1</source>
        <translation>外访员 #%1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 → %2 (pending)</source>
        <translation>%1 → %2（待确认）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Going to %1 once head office confirms</source>
        <translation>总部确认后转给 %1</translation>
    </message>
</context>
<context>
    <name>AssignMapView</name>
    <message>
        <location filename="../../app/ui/assign_map.py" line="+65"/>
        <source>No cases with a map position</source>
        <translation>没有带地图位置的案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lasso</source>
        <translation>套索</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drag on the map to draw the area</source>
        <translation>在地图上拖动以画出区域</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Assignment pending</source>
        <translation>分配待确认</translation>
    </message>
</context>
<context>
    <name>AssignPage</name>
    <message>
        <location filename="../../app/ui/assign_page.py" line="+92"/>
        <source>Team cases</source>
        <translation>团队案件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Agent filter</source>
        <translation>外访员筛选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ag&amp;ent:</source>
        <translation>外访员(&amp;E)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Assign &amp;to…</source>
        <translation>分配给(&amp;T)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the selected cases to an agent (Ctrl+Shift+A)</source>
        <translation>将选中的案件分配给一名外访员（Ctrl+Shift+A）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assign &amp;district…</source>
        <translation>按区县分配(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assign a&amp;rea on the map…</source>
        <translation>在地图上圈选分配(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auto-&amp;balance…</source>
        <translation>自动均衡(&amp;B)…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Assignment status</source>
        <translation>分配状态</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The map of the listed cases opens here.</source>
        <translation>列表中案件的地图在此显示。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Proposal discarded; nothing was assigned.</source>
        <translation>方案已放弃，未分配任何案件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+310"/>
        <source>Not applied</source>
        <translation>未执行</translation>
    </message>
    <message>
        <location line="-309"/>
        <source>Auto-balance preview</source>
        <translation>自动均衡预览</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Could not read the team: %1</source>
        <translation>无法读取团队信息：%1</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>All agents</source>
        <translation>全部外访员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unassigned queue</source>
        <translation>待分配队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignment pending</source>
        <translation>分配待确认</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Select cases in the list first (Ctrl+A selects every listed case).</source>
        <translation>请先在列表中选择案件（Ctrl+A 选中列表中的全部案件）。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>No open case in %1.</source>
        <translation>%1 没有进行中的案件。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Drag a rectangle on the map (or choose Lasso there) around the cases to assign.</source>
        <translation>在地图上拖出矩形（或在地图上选择“套索”）圈住要分配的案件。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The drawn area was not usable: %1</source>
        <translation>画出的区域无法使用：%1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>No listed case lies inside the drawn area.</source>
        <translation>画出的区域内没有列表中的案件。</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n case(s) inside the area.</source>
        <translation>
            <numerusform>区域内有 %n 件案件。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>%n assignment(s) recorded.</source>
        <translation>
            <numerusform>已记录 %n 项分配。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n case(s) are not on this device and were skipped.</source>
        <translation>
            <numerusform>%n 件案件不在本设备上，已跳过。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Could not assign: %1</source>
        <translation>无法分配：%1</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n assignment(s) pending: head office is not reachable now, so they go at the next sync.</source>
        <translation>
            <numerusform>%n 项分配待上传：目前无法连接总部，将在下次同步时发送。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Sending the assignments to head office…</source>
        <translation>正在把分配发送到总部…</translation>
    </message>
    <message numerus="yes">
        <location line="+21"/>
        <source>Head office applied %n assignment(s).</source>
        <translation>
            <numerusform>总部已执行 %n 项分配。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n were not applied: the cases changed meanwhile (see Not applied).</source>
        <translation>
            <numerusform>%n 项未执行：案件在此期间已有变化（见“未执行”）。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Stopped; what was not sent waits for the next sync.</source>
        <translation>已停止；未发送的分配将在下次同步时发送。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office could not be reached (%1); the assignments wait for the next sync.</source>
        <translation>无法连接总部（%1）；分配将等到下次同步时发送。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not applied (%1)</source>
        <translation>未执行（%1）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No agents on this device yet: sync first.</source>
        <translation>本设备上还没有外访员信息：请先同步。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>There are no cases to balance.</source>
        <translation>没有可均衡的案件。</translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>Working out a balanced proposal for %n case(s)…</source>
        <translation>
            <numerusform>正在为 %n 件案件计算均衡方案…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Proposal ready: check it, then confirm or discard.</source>
        <translation>方案已生成：请检查后确认或放弃。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Auto-balance stopped; nothing was assigned.</source>
        <translation>自动均衡已停止，未分配任何案件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Auto-balance failed: %1</source>
        <translation>自动均衡失败：%1</translation>
    </message>
</context>
<context>
    <name>BalanceDialog</name>
    <message>
        <location filename="../../app/ui/assign_dialogs.py" line="+90"/>
        <source>Auto-balance</source>
        <translation>自动均衡</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agents to balance over</source>
        <translation>参与均衡的外访员</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cases to balance</source>
        <translation>要均衡的案件</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>All %n listed case(s)</source>
        <translation>
            <numerusform>列表中的全部 %n 件案件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>The %n selected case(s)</source>
        <translation>
            <numerusform>选中的 %n 件案件</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Agents (Space ticks):</source>
        <translation>外访员（空格键勾选）(&amp;A)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Cases:</source>
        <translation>案件(&amp;C)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing is assigned until you confirm the preview.</source>
        <translation>在您确认预览之前不会分配任何案件。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Propose</source>
        <translation>生成方案(&amp;P)</translation>
    </message>
</context>
<context>
    <name>BalancePreviewPanel</name>
    <message>
        <location filename="../../app/ui/assign_preview.py" line="+42"/>
        <location line="+96"/>
        <source>Choose Auto-balance… to see a proposal here.</source>
        <translation>选择“自动均衡…”后方案会显示在这里。</translation>
    </message>
    <message>
        <location line="-92"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cases before</source>
        <translation>调整前案件数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cases after</source>
        <translation>调整后案件数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visit minutes</source>
        <translation>外访分钟数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mean km to base</source>
        <translation>距驻点平均公里数</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Proposed workload per agent</source>
        <translation>每名外访员的建议工作量</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Confirm and assign</source>
        <translation>确认并分配(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Discard</source>
        <translation>放弃(&amp;D)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>every agent within ±10% of the mean workload</source>
        <translation>每名外访员的工作量都在平均值 ±10% 以内</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not every agent could be brought within ±10%</source>
        <translation>未能让每名外访员都在 ±10% 以内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 case(s) over %2 agent(s): %3 change hands; %4. Mean distance to base %5 km (a round-robin split: %6 km). Nothing is assigned until you confirm.</source>
        <translation>%1 件案件分给 %2 名外访员：%3 件更换外访员；%4。到驻点的平均距离 %5 公里（轮流平分：%6 公里）。确认之前不会分配任何案件。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Changes hands</source>
        <translation>更换外访员</translation>
    </message>
</context>
<context>
    <name>CaseDetailView</name>
    <message>
        <location filename="../../app/ui/case_detail.py" line="+82"/>
        <source>Safety warning</source>
        <translation>安全警示</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Why this case is at a door</source>
        <translation>本案为何需要上门</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select a case in the list to see its details.</source>
        <translation>在列表中选择一个案件以查看详情。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Record outcome…</source>
        <translation>记录结果(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add safety &amp;note…</source>
        <translation>添加安全提示(&amp;N)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add to today&apos;s &amp;plan</source>
        <translation>加入今日计划(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start visi&amp;t…</source>
        <translation>开始外访(&amp;T)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the door: head office times the visit until you check out</source>
        <translation>到达门口：总部为本次外访计时，直到您签退</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;veal contact details</source>
        <translation>显示完整联系方式(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shows the full name, ID number and phone numbers. Each reveal is recorded in the audit log.</source>
        <translation>显示完整姓名、身份证号和电话号码。每次查看都会记入审计日志。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+44"/>
        <source>Safety notes</source>
        <translation>安全提示</translation>
    </message>
    <message>
        <location line="-41"/>
        <source>&amp;Edit note…</source>
        <translation>编辑提示(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xpire note…</source>
        <translation>使提示失效(&amp;X)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+37"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Open the &amp;letter (PDF)</source>
        <translation>打开律师函（PDF）(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shows the lawyer&apos;s letter head office made for this case</source>
        <translation>查看总部为本案出具的律师函</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Debtor and contacts</source>
        <translation>债务人及联系人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accounts</source>
        <translation>借款账户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage and priority</source>
        <translation>阶段与优先级</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Emergency contact</source>
        <translation>紧急联系人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relief proposal</source>
        <translation>减免/延期申请</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two-person visit required</source>
        <translation>须两人同行上门</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Visit trigger</source>
        <translation>外访触发原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paused because</source>
        <translation>暂停原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Promise due</source>
        <translation>承诺还款日</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ladder level</source>
        <translation>催收阶梯级别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refused further contact</source>
        <translation>已拒绝再被联系</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 days past due (%2)</source>
        <translation>逾期 %1 天（%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>overdue %1</source>
        <translation>逾期金额 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Loan</source>
        <translation>借款编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Principal</source>
        <translation>本金</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outstanding</source>
        <translation>剩余本息</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DPD</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Bucket</source>
        <translation>账龄</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Missed</source>
        <translation>未还期数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last payment</source>
        <translation>最近还款</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 by %2: %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>two-person visit</source>
        <translation>须两人同行</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Opening the letter…</source>
        <translation>正在打开律师函…</translation>
    </message>
    <message>
        <location line="-154"/>
        <location line="+71"/>
        <source>DO NOT VISIT</source>
        <translation>禁止上门</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>and %1 more safety note(s)</source>
        <translation>另有 %1 条安全提示</translation>
    </message>
</context>
<context>
    <name>CaseListView</name>
    <message>
        <location filename="../../app/ui/case_list.py" line="+208"/>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Number of cases shown</source>
        <translation>显示的案件数</translation>
    </message>
    <message numerus="yes">
        <location line="+78"/>
        <source>%n case(s)</source>
        <translation>
            <numerusform>共 %n 件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CaseMapView</name>
    <message>
        <location filename="../../app/ui/map_view.py" line="+426"/>
        <source>Low priority</source>
        <translation>低优先级</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Safety note</source>
        <translation>安全提示</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No cases with a map position</source>
        <translation>没有带地图位置的案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../app/ui/case_model.py" line="+373"/>
        <source>Sort by %1</source>
        <translation>按%1排序</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Case no.</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Debtor</source>
        <translation>债务人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Days past due</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Bucket</source>
        <translation>账龄</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Next action / promise</source>
        <translation>下次跟进 / 承诺还款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Safety</source>
        <translation>安全</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>(no longer on this device)</source>
        <translation>（已不在本设备上）</translation>
    </message>
    <message>
        <location line="-115"/>
        <location line="+167"/>
        <source>Promise due %1</source>
        <translation>承诺还款 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Safety note: %1</source>
        <translation>安全提示：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The promised date has passed</source>
        <translation>已过承诺还款日</translation>
    </message>
</context>
<context>
    <name>CaseWorkspace</name>
    <message>
        <location filename="../../app/ui/case_workspace.py" line="+132"/>
        <source>Only an agent&apos;s day can be planned: start Doorstep as an agent.</source>
        <translation>只能为外访员规划当日行程：请以外访员身份启动 Doorstep。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Could not plan: %1</source>
        <translation>无法规划：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is in today&apos;s plan.</source>
        <translation>%1 已加入今日计划。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 was added, but the day has no room for it (see Day route).</source>
        <translation>%1 已添加，但今日行程已满（见“今日路线”）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Doorstep</source>
        <translation>Doorstep 外访</translation>
    </message>
</context>
<context>
    <name>CheckOutDialog</name>
    <message>
        <location filename="../../app/ui/visit_safety/pin_dialogs.py" line="+207"/>
        <source>Check out: safe</source>
        <translation>签退：平安</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Type your PIN to tell head office you have left %1 safely.</source>
        <translation>输入您的 PIN，告知总部您已平安离开 %1。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;PIN:</source>
        <translation>PIN(&amp;P)：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Check out</source>
        <translation>签退(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A PIN is 4 to 6 digits.</source>
        <translation>PIN 为 4 至 6 位数字。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Checked out — safe</source>
        <translation>已签退 — 平安</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Wrong PIN</source>
        <translation>PIN 错误</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The check-out could not be made.</source>
        <translation>无法完成签退。</translation>
    </message>
</context>
<context>
    <name>DeadLetterModel</name>
    <message>
        <location filename="../../app/ui/sync_page.py" line="+119"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why it failed</source>
        <translation>失败原因</translation>
    </message>
</context>
<context>
    <name>DistrictDialog</name>
    <message>
        <location filename="../../app/ui/assign_dialogs.py" line="-79"/>
        <source>Assign district</source>
        <translation>按区县分配</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Districts</source>
        <translation>区县</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unassigned queue (no agent)</source>
        <translation>待分配队列（不指定外访员）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only cases &amp;nobody holds yet</source>
        <translation>仅限尚未分配的案件(&amp;N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Districts:</source>
        <translation>区县(&amp;D)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;To:</source>
        <translation>分配给(&amp;T)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Reason:</source>
        <translation>原因(&amp;R)：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Assign</source>
        <translation>分配(&amp;A)</translation>
    </message>
</context>
<context>
    <name>EvidenceOpenButton</name>
    <message>
        <location filename="../../app/ui/evidence_viewer.py" line="+29"/>
        <location line="+44"/>
        <source>Open &amp;recording</source>
        <translation>打开录音录像(&amp;R)</translation>
    </message>
    <message>
        <location line="-43"/>
        <source>Fetch the visit&apos;s recording from head office, check it and play it</source>
        <translation>从总部取回本次上门的录音录像，校验后播放</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>No head office is configured.</source>
        <translation>尚未配置总部。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Fetching the recording…</source>
        <translation>正在取回录音录像…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The recording could not be opened: %1</source>
        <translation>无法打开录音录像：%1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No program on this computer opens %1.</source>
        <translation>本机没有能打开 %1 的程序。</translation>
    </message>
</context>
<context>
    <name>EvidencePicker</name>
    <message>
        <location filename="../../app/ui/evidence_picker.py" line="+33"/>
        <source>The recording could not be kept: %1.</source>
        <translation>无法保存录音录像：%1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The file</source>
        <translation>该文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The chosen file is empty.</source>
        <translation>所选文件为空。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The chosen file is larger than %1 MiB.</source>
        <translation>所选文件大于 %1 MiB。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files of this type cannot be kept as evidence.</source>
        <translation>此类文件不能作为证据保存。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is not a file that can be read (a folder or a device?).</source>
        <translation>%1 不是可读取的文件（是文件夹或设备？）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 cannot be read (moved, deleted, or no permission).</source>
        <translation>无法读取 %1（已移动、已删除或无权限）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 changed while it was being read or since it was chosen. Wait until the recording is finished, then choose it again.</source>
        <translation>%1 在读取期间或选择之后发生了变化。请等录制结束后重新选择。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The disk is full: the recording could not be sealed.</source>
        <translation>磁盘已满：无法加密保存录音录像。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The recording could not be written to the evidence folder.</source>
        <translation>无法将录音录像写入证据文件夹。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing was stored.</source>
        <translation>未保存任何内容。</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+32"/>
        <source>No file chosen</source>
        <translation>未选择文件</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>C&amp;hoose file…</source>
        <translation>选择文件(&amp;H)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose the visit recording</source>
        <translation>选择上门录音录像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recordings and photos (%1);;All files (*)</source>
        <translation>录音录像和照片 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reading</source>
        <translation>读取中</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1
fingerprint (SHA-256) %2</source>
        <translation>%1
指纹（SHA-256）%2</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Sealing</source>
        <translation>加密保存中</translation>
    </message>
</context>
<context>
    <name>ExpireNoteDialog</name>
    <message>
        <location filename="../../app/ui/safety_dialog.py" line="+158"/>
        <source>Expire safety note</source>
        <translation>使安全提示失效</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>e.g. the dog has gone; debtor moved</source>
        <translation>例如：狗已送走；债务人已搬离</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Reason:</source>
        <translation>原因(&amp;R)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>E&amp;xpire now</source>
        <translation>立即失效(&amp;X)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Say why the note no longer applies.</source>
        <translation>请说明该提示为何不再适用。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nothing was changed: %1</source>
        <translation>未作任何更改：%1</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <location filename="../../app/ui/case_list.py" line="-226"/>
        <source>Search: name, phone digits, case no., address, ID tail  (Ctrl+F)</source>
        <translation>搜索：姓名、电话号码、案件编号、地址、身份证尾号（Ctrl+F）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search cases</source>
        <translation>搜索案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All stages</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All buckets</source>
        <translation>全部账龄</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All districts</source>
        <translation>全部区县</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any promise</source>
        <translation>承诺还款：不限</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Promise due today</source>
        <translation>今日承诺到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Promise overdue</source>
        <translation>承诺已逾期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Promise due or overdue</source>
        <translation>承诺到期或逾期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Safety notes only</source>
        <translation>仅看有安全提示(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Find:</source>
        <translation>查找(&amp;F)：</translation>
    </message>
</context>
<context>
    <name>HeadOfficePasswordDialog</name>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="+243"/>
        <source>Sign in to head office</source>
        <translation>登录总部</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter your head-office password to renew the session on this laptop.</source>
        <translation>请输入总部密码，以续用本机的登录会话。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Head office:</source>
        <translation>总部：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sign &amp;in</source>
        <translation>登录(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Asking head office…</source>
        <translation>正在向总部验证…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Head office did not accept the password.</source>
        <translation>总部未接受该密码。</translation>
    </message>
</context>
<context>
    <name>HeadOfficeSync</name>
    <message>
        <location filename="../../app/ui/head_office_sync.py" line="+125"/>
        <location line="+40"/>
        <location line="+76"/>
        <source>No head office is configured: set its address in Settings.</source>
        <translation>尚未配置总部：请在“设置”中填写总部地址。</translation>
    </message>
    <message>
        <location line="-112"/>
        <source>Doorstep is locked: unlock it to sync.</source>
        <translation>Doorstep 已锁定：解锁后才能同步。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+234"/>
        <source>Sync stopped.</source>
        <translation>同步已停止。</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>Sign in to head office to sync; everything recorded stays queued on this laptop.</source>
        <translation>请登录总部后再同步；已记录的内容都保留在本机队列中。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Head office ended the session (it expired or was revoked): sign in again to sync; everything recorded stays queued on this laptop.</source>
        <translation>总部已结束登录会话（已过期或被撤销）：请重新登录后同步；已记录的内容都保留在本机队列中。</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Sync failed unexpectedly; everything recorded stays queued. ({0})</source>
        <translation>同步意外失败；已记录的内容仍在待上传队列中。（{0}）</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../app/ui/labels.py" line="+19"/>
        <source>Reminder</source>
        <translation>短信/电话提醒</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lawyer&apos;s letter</source>
        <translation>律师函</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Field visit</source>
        <translation>上门外访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Legal action</source>
        <translation>诉讼</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agency</source>
        <translation>委外</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+6"/>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+55"/>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location line="-55"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Promised</source>
        <translation>已承诺还款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned</source>
        <translation>已退案</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>none recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Repeated delinquency</source>
        <translation>多次逾期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Evading contact</source>
        <translation>逃避联系</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serious default (asset transfer, forged signature)</source>
        <translation>严重违约（转移资产、伪造签名）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Door visit</source>
        <translation>上门</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Phone call</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Letter</source>
        <translation>信函</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Promise to pay</source>
        <translation>承诺还款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Paid in full</source>
        <translation>已全额还款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Partial payment</source>
        <translation>部分还款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refused to pay</source>
        <translation>拒绝还款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Not at home</source>
        <translation>不在家</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moved / wrong address</source>
        <translation>已搬离 / 地址错误</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Met a third party</source>
        <translation>见到第三方</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dispute</source>
        <translation>有异议</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hardship claimed</source>
        <translation>声称困难</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deceased / incapacitated</source>
        <translation>死亡 / 丧失行为能力</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Visit aborted for safety</source>
        <translation>因安全原因中止外访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Bank transfer</source>
        <translation>银行转账</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lender&apos;s app</source>
        <translation>平台App</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alipay (official account)</source>
        <translation>支付宝（官方账户）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WeChat Pay (official account)</source>
        <translation>微信支付（官方账户）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unemployment</source>
        <translation>失业</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Illness</source>
        <translation>疾病</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accident</source>
        <translation>意外事故</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bereavement</source>
        <translation>家庭变故</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+9"/>
        <location line="+17"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>Deferral</source>
        <translation>延期还款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Instalment plan</source>
        <translation>分期还款</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Aggressive or threatening</source>
        <translation>有攻击性或威胁</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dog</source>
        <translation>有狗</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unsafe area</source>
        <translation>区域不安全</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health hazard</source>
        <translation>健康风险</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>中等</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Severe</source>
        <translation>严重</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Kept</source>
        <translation>已兑现</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Broken</source>
        <translation>已违约</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Awaiting supervisor</source>
        <translation>待主管审批</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Home</source>
        <translation>住址</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Work</source>
        <translation>单位</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not in service</source>
        <translation>空号/停机</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>unchecked</source>
        <translation>未核实</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Outcome</source>
        <translation>催收结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Safety note</source>
        <translation>安全提示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Safety note expired</source>
        <translation>安全提示失效</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quiet hours</source>
        <translation>禁止催收时段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Daily call limit</source>
        <translation>每日通话上限</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unanswered-attempt limit</source>
        <translation>未接通次数上限</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Third-party contact</source>
        <translation>联系第三方</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Third party refused contact</source>
        <translation>第三方拒绝联系</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Visit recording</source>
        <translation>外访录音录像</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two-person visit</source>
        <translation>两人同行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Do not visit</source>
        <translation>禁止上门</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection paused</source>
        <translation>催收已暂停</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Severe safety note</source>
        <translation>严重安全提示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attempt limit</source>
        <translation>联系次数上限</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Conversation cooldown</source>
        <translation>通话间隔期</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 days past due</source>
        <translation>逾期 %1 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>¥%1 overdue</source>
        <translation>逾期 ¥%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 broken promise(s)</source>
        <translation>违约承诺 %1 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 failed contact(s) in 30 days</source>
        <translation>30 天内联系失败 %1 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never contacted</source>
        <translation>从未联系上</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no contact for %1 days</source>
        <translation>%1 天未联系上</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>promise falls due</source>
        <translation>承诺还款即将到期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hardship claim under review</source>
        <translation>困难申请审核中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dispute open: collection paused</source>
        <translation>存在异议：催收暂停</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Promised amount (¥)</source>
        <translation>承诺金额（元）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Promised date</source>
        <translation>承诺还款日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount paid (¥)</source>
        <translation>还款金额（元）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Payment channel</source>
        <translation>还款渠道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receipt number</source>
        <translation>回单号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New address</source>
        <translation>新地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hardship reason</source>
        <translation>困难原因</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Proposed relief</source>
        <translation>申请的纾困方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Relief details</source>
        <translation>纾困方案说明</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What made it unsafe</source>
        <translation>不安全的情况</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What the debtor disputes</source>
        <translation>债务人异议内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Who was met</source>
        <translation>见到的人</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Enter an amount.</source>
        <translation>请输入金额。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the amount without a sign.</source>
        <translation>金额不要带正负号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not an amount of money.</source>
        <translation>这不是有效的金额。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At most two decimals (fen).</source>
        <translation>最多两位小数（精确到分）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount is too large.</source>
        <translation>金额过大。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount must be more than zero.</source>
        <translation>金额必须大于零。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The amount is more than the balance (%1).</source>
        <translation>金额超过欠款余额（%1）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the promised date.</source>
        <translation>请输入承诺还款日期。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The promised date is in the past.</source>
        <translation>承诺还款日期已过。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A promise may run at most %1 days.</source>
        <translation>承诺还款期限最长 %1 天。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose one.</source>
        <translation>请选择一项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Too long.</source>
        <translation>内容过长。</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Describe what made the visit unsafe.</source>
        <translation>请描述外访不安全的情况。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Describe the danger.</source>
        <translation>请描述危险情况。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The expiry must be in the future.</source>
        <translation>失效日期必须晚于今天。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This outcome can only be recorded for a door visit.</source>
        <translation>此结果只能在上门外访时记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes are too long.</source>
        <translation>备注过长。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>the stop has no id</source>
        <translation>外访点没有编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the same case appears more than once; only the first is planned</source>
        <translation>同一案件出现多次，仅安排第一次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the address has no coordinates</source>
        <translation>该地址没有坐标</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the coordinates are impossible</source>
        <translation>坐标不合理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the address is too far from the start and the other stops</source>
        <translation>该地址离出发点和其他外访点太远</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the availability window ends before it starts</source>
        <translation>可拜访时段的结束早于开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the visit duration is not a sensible number of minutes</source>
        <translation>拜访时长不是合理的分钟数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the priority is not a number</source>
        <translation>优先级不是数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the visit cannot fit the working day, the permitted hours and the debtor&apos;s availability at once</source>
        <translation>无法同时满足工作时间、允许外访时段和债务人可拜访时段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the day is too short to travel there, visit and get back in time</source>
        <translation>当天时间不足以往返并完成拜访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the visit needs two collectors and no partner is set for the day</source>
        <translation>该外访须两人同行，但今日未设置搭档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a safety note says do not visit</source>
        <translation>安全提示禁止上门</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the case cannot be planned</source>
        <translation>该案件无法安排</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>did not fit in the day; the planned visits are worth more or lie closer</source>
        <translation>当天排不下：已安排的外访价值更高或距离更近</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>must-visit, but the day cannot hold it with the other must-visits</source>
        <translation>必访案件，但当天无法与其他必访案件一并安排</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>a safety note asks for two collectors</source>
        <translation>安全提示要求两名催收员同行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>profile %1 asks for %2 collectors at a home visit</source>
        <translation>合规配置 %1 要求上门家访至少 %2 名催收员</translation>
    </message>
</context>
<context>
    <name>LetterOpener</name>
    <message>
        <location filename="../../app/ui/letter_viewer.py" line="+164"/>
        <source>The letter&apos;s PDF is not on this laptop, and no head office is set up to fetch it from.</source>
        <translation>本机没有该律师函的PDF，且未设置可从中获取的总部。</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>The letter&apos;s PDF is not on this laptop yet, and head office cannot be reached. It opens once the laptop is online.</source>
        <translation>本机尚无该律师函的PDF，且无法连接总部。联网后即可打开。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign in to head office to fetch the letter&apos;s PDF.</source>
        <translation>请先登录总部，再获取律师函的PDF。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office has no PDF for this letter that you may read.</source>
        <translation>总部没有您可查看的该律师函PDF。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file head office keeps for this letter is not a PDF; it was not opened.</source>
        <translation>总部为该律师函保存的文件不是PDF，未打开。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The letter&apos;s PDF could not be opened: %1</source>
        <translation>无法打开律师函的PDF：%1</translation>
    </message>
</context>
<context>
    <name>LetterViewer</name>
    <message>
        <location line="-139"/>
        <source>Lawyer&apos;s letter</source>
        <translation>律师函</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Kept on this laptop, encrypted: it opens offline too.</source>
        <translation>已加密保存在本机：离线也可打开。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shown from head office; not kept on this laptop.</source>
        <translation>从总部获取显示；未保存在本机。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The letter&apos;s pages</source>
        <translation>律师函页面</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open in the &amp;system&apos;s PDF viewer</source>
        <translation>用系统PDF阅读器打开(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>No program on this computer opens %1.</source>
        <translation>本机没有可以打开 %1 的程序。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The letter could not be handed to the system&apos;s viewer: %1</source>
        <translation>无法交给系统阅读器打开律师函：%1</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../app/ui/login_dialog.py" line="-241"/>
        <source>Doorstep is locked</source>
        <translation>Doorstep 已锁定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Log in to Doorstep</source>
        <translation>登录 Doorstep</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter your secret to continue.</source>
        <translation>请输入密码以继续。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in to head office: it checks your user name and password, then the cases already on this laptop are encrypted with that password (every record is kept). Later logins work offline with the same password.</source>
        <translation>登录总部：总部核对用户名和密码后，本机已有的案件将用该密码加密（所有记录都保留）。之后可用同一密码离线登录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>First login on this laptop: head office checks your user name and secret, then your cases are stored encrypted with that secret.</source>
        <translation>首次在本电脑登录：总部将核验您的用户名和密码，之后您的案件将以该密码加密保存。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Works offline: your secret unlocks the encrypted cases on this laptop.</source>
        <translation>可离线使用：您的密码用于解锁本电脑上加密保存的案件。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Head office:</source>
        <translation>总部：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Secret:</source>
        <translation>密码(&amp;S)：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Log in</source>
        <translation>登录(&amp;L)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Checking…</source>
        <translation>正在核验…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter your user name and secret.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Asking head office…</source>
        <translation>正在向总部验证…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encrypting the cases on this laptop with your password (every record is kept)…</source>
        <translation>正在用您的密码加密本机案件（所有记录都保留）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Creating the encrypted case store…</source>
        <translation>正在创建加密的案件库…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>Too many failed attempts: try again in %n second(s).</source>
        <translation>
            <numerusform>失败次数过多：请在 %n 秒后重试。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong user name or secret.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The cases on this laptop belong to another user.</source>
        <translation>本机上的案件属于另一位用户。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office did not accept the user name and secret.</source>
        <translation>总部未接受该用户名和密码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The first login on this laptop needs a connection to head office.</source>
        <translation>在本机首次登录需要连接总部。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The login failed: %1</source>
        <translation>登录失败：%1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Plain http:// would send your password and cases unencrypted, so it is refused: use an https:// address in Settings (only a head office on this computer may use http://).</source>
        <translation>明文 http:// 会不加密地发送您的密码和案件，因此被拒绝：请在设置中使用 https:// 地址（只有运行在本机上的总部可以用 http://）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Head office&apos;s certificate or public key did not check out, so nothing was sent: %1</source>
        <translation>总部的证书或公钥校验未通过，未发送任何内容：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Head office cannot be reached: check the network and the address in Settings. Nothing was changed.</source>
        <translation>无法连接总部：请检查网络和设置中的地址。未做任何更改。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Head office could not be asked: %1</source>
        <translation>无法向总部验证：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="+82"/>
        <location filename="../../app/ui/window_pages.py" line="+113"/>
        <source>Doorstep — field visits</source>
        <translation>Doorstep 外访工作台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opening the case store…</source>
        <translation>正在打开案件库…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The case store could not be opened:</source>
        <translation>无法打开案件库：</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_pages.py" line="-55"/>
        <source>Navigation</source>
        <translation>导航</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The map opens here…</source>
        <translation>地图将在此打开…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Day route</source>
        <translation>今日路线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The day&apos;s route opens here…</source>
        <translation>今日路线将在此打开…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Today</source>
        <translation>今日(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cases</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Map</source>
        <translation>地图(&amp;M)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reports</source>
        <translation>报表(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Day r&amp;oute</source>
        <translation>今日路线(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="+18"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Find a case</source>
        <translation>查找案件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;ase</source>
        <translation>案件(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Record outcome…</source>
        <translation>记录结果(&amp;R)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add &amp;safety note…</source>
        <translation>添加安全提示(&amp;S)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add to today&apos;s &amp;plan</source>
        <translation>加入今日计划(&amp;P)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;veal contact details</source>
        <translation>显示完整联系方式(&amp;V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to the &amp;list</source>
        <translation>转到列表(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;ync</source>
        <translation>同步(&amp;Y)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync &amp;now</source>
        <translation>立即同步(&amp;N)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign &amp;in to head office…</source>
        <translation>登录总部(&amp;I)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign &amp;out of head office</source>
        <translation>退出总部登录(&amp;O)</translation>
    </message>
    <message>
        <location line="+74"/>
        <location line="+7"/>
        <location line="+7"/>
        <source>Select a case first.</source>
        <translation>请先选择一个案件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/supervisor_rooms.py" line="+58"/>
        <source>&amp;Assign</source>
        <translation>分配(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;eam</source>
        <translation>团队(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appro&amp;vals</source>
        <translation>审批(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Safet&amp;y</source>
        <translation>安全(&amp;Y)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This room opens here…</source>
        <translation>此页面在这里打开…</translation>
    </message>
    <message>
        <location filename="../../app/ui/window_status_bar.py" line="+47"/>
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>○ Offline</source>
        <translation>○ 离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>○ No head office configured</source>
        <translation>○ 未配置总部</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/main_window.py" line="+89"/>
        <source>%n record(s) waiting to upload</source>
        <translation>
            <numerusform>%n 条记录待上传</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/window_status_bar.py" line="+17"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="+17"/>
        <source>Doorstep</source>
        <translation>Doorstep 外访</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Background work is still running.</source>
        <translation>后台任务仍在运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/desk/opening.py" line="+166"/>
        <source>Doorstep is locked: restart it to log in.</source>
        <translation>Doorstep 已锁定：请重新启动后登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/desk/signing_in.py" line="+100"/>
        <source>Doorstep needs a first login with head office: restart it to log in.</source>
        <translation>Doorstep 需要先在线登录总部：请重新启动后登录。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Sign in to head office</source>
        <translation>登录总部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set the head office address in Settings first.</source>
        <translation>请先在设置中填写总部地址。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Signed in to head office.</source>
        <translation>已登录总部。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Encrypting the cases on this laptop…</source>
        <translation>正在加密本机案件…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Signed out of head office: the session was removed from this laptop.</source>
        <translation>已退出总部登录：登录会话已从本机删除。</translation>
    </message>
</context>
<context>
    <name>MapPage</name>
    <message>
        <location filename="../../app/ui/map_view.py" line="-64"/>
        <source>The map could not be built: %1</source>
        <translation>无法生成地图：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The map page could not be loaded.</source>
        <translation>无法加载地图页面。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Map tiles: %1 — showing saved tiles only.</source>
        <translation>地图瓦片：%1 —— 仅显示已缓存的瓦片。</translation>
    </message>
</context>
<context>
    <name>NoHeadOffice</name>
    <message>
        <location filename="../../app/ui/sync_controller.py" line="+35"/>
        <source>No head office is configured: set its address in Settings.</source>
        <translation>尚未配置总部：请在“设置”中填写总部地址。</translation>
    </message>
</context>
<context>
    <name>NotAppliedPanel</name>
    <message>
        <location filename="../../app/ui/assign_not_applied.py" line="+33"/>
        <source>Case no.</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Wanted for</source>
        <translation>拟分配给</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Now with</source>
        <translation>当前外访员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version now</source>
        <translation>当前版本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>You saw</source>
        <translation>您看到的版本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Assignments head office did not apply</source>
        <translation>总部未执行的分配</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>These cases changed at head office after you saw them, so your assignment was not applied. Check who holds each now; assign again if it is still wanted.</source>
        <translation>这些案件在您查看后已在总部发生变化，因此您的分配未执行。请查看每件案件当前的外访员；如仍需要，请重新分配。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Assign agai&amp;n…</source>
        <translation>重新分配(&amp;N)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The selected cases of this list (all of them if none is selected)</source>
        <translation>此列表中选中的案件（未选中时为全部）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Changed at head office since you saw it; not overwritten</source>
        <translation>您查看后总部已有变更；未覆盖</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office refused it: %1</source>
        <translation>总部拒绝：%1</translation>
    </message>
</context>
<context>
    <name>NoticeWatcher</name>
    <message>
        <location filename="../../app/ui/visit_safety/notices.py" line="+86"/>
        <source>A colleague nearby raised an alarm</source>
        <translation>附近的同事发出了警报</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Seen</source>
        <translation>知道了</translation>
    </message>
</context>
<context>
    <name>OutboxModel</name>
    <message>
        <location filename="../../app/ui/sync_page.py" line="-12"/>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Recorded</source>
        <translation>记录时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last problem</source>
        <translation>最近问题</translation>
    </message>
</context>
<context>
    <name>OutcomeDialog</name>
    <message>
        <location filename="../../app/ui/outcome_dialog.py" line="+116"/>
        <source>Record outcome — %1</source>
        <translation>记录结果 — %1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Contact with a &amp;third party (emergency contact)</source>
        <translation>联系的是第三方（紧急联系人）(&amp;T)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Why there is no recording</source>
        <translation>没有录音录像的原因</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What was said and seen (optional)</source>
        <translation>沟通内容和现场情况（选填）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>e.g. defer 3 months, or 12 monthly instalments</source>
        <translation>例如：延期3个月，或分12期按月还款</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>e.g. spouse, parent, neighbour</source>
        <translation>例如：配偶、父母、邻居</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>I have read the &amp;severe safety note and will take the precautions it asks for</source>
        <translation>我已阅读严重安全提示，并将采取其要求的防范措施(&amp;S)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Outcome:</source>
        <translation>结果(&amp;O)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cha&amp;nnel:</source>
        <translation>方式(&amp;N)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;When:</source>
        <translation>时间(&amp;W)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>N&amp;umber:</source>
        <translation>号码(&amp;U)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Co&amp;llectors present:</source>
        <translation>在场外访员人数(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recordin&amp;g:</source>
        <translation>录音录像(&amp;G)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No recording &amp;because:</source>
        <translation>无录音录像原因(&amp;B)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1:</source>
        <translation>%1：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No&amp;tes:</source>
        <translation>备注(&amp;T)：</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location line="+95"/>
        <source>Not allowed — nothing was saved:</source>
        <translation>不允许 —— 未保存任何内容：</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+9"/>
        <source>Tick this to confirm you have read the severe safety note.</source>
        <translation>请勾选以确认您已阅读严重安全提示。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Wait until the recording has been read, or stop reading it.</source>
        <translation>请等待录音录像读取完成，或停止读取。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recordings can be kept only in an encrypted store that is unlocked: sign in to head office first. Nothing was saved.</source>
        <translation>录音录像只能保存在已解锁的加密数据库中：请先登录总部。未保存任何内容。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Checking, sealing the recording and saving…</source>
        <translation>正在检查、加密保存录音录像并保存…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking and saving…</source>
        <translation>正在检查并保存…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Stopping… the dialog can be closed once nothing is being saved.</source>
        <translation>正在停止…保存结束后即可关闭此对话框。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recording kept</source>
        <translation>录音录像已保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The recording is kept, encrypted, with this outcome and goes to head office with the next sync.

The original file was left where it was:
%1
Delete it there once your procedures allow.</source>
        <translation>录音录像已随本次结果加密保存，将在下次同步时上传总部。

原文件仍在原处：
%1
按规定允许时，请在该处自行删除。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Stopped: the recording was not sealed and nothing was saved.</source>
        <translation>已停止：录音录像未加密保存，未保存任何内容。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Nothing was saved: the recording could not be kept (see above).</source>
        <translation>未保存任何内容：录音录像无法保存（见上方）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This case changed since it was opened (for example by a sync). Close this dialog and open the case again; nothing was saved.</source>
        <translation>打开后此案件已发生变化（例如同步）。请关闭此窗口并重新打开案件；未保存任何内容。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing was saved: %1</source>
        <translation>未保存任何内容：%1</translation>
    </message>
</context>
<context>
    <name>PinSetupDialog</name>
    <message>
        <location filename="../../app/ui/visit_safety/pin_dialogs.py" line="-190"/>
        <source>Set your safety PINs</source>
        <translation>设置安全 PIN</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You check out of every visit with a PIN. Choose two PINs of 4 to 6 digits.</source>
        <translation>每次外访结束时都用 PIN 签退。请设置两个 4 至 6 位数字的 PIN。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The duress PIN checks you out like the safety PIN, but silently tells head office that you are in danger: type it if someone forces you to check out.</source>
        <translation>胁迫 PIN 与安全 PIN 一样能签退，但会悄悄告知总部您身处危险：如有人逼您签退，请输入它。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Safety PIN:</source>
        <translation>安全 PIN(&amp;S)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Safety PIN &amp;again:</source>
        <translation>再次输入安全 PIN(&amp;A)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Duress PIN:</source>
        <translation>胁迫 PIN(&amp;D)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duress PIN a&amp;gain:</source>
        <translation>再次输入胁迫 PIN(&amp;G)：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Set PINs</source>
        <translation>设置 PIN(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The two safety PINs you typed differ.</source>
        <translation>两次输入的安全 PIN 不一致。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two duress PINs you typed differ.</source>
        <translation>两次输入的胁迫 PIN 不一致。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Setting the PINs with head office…</source>
        <translation>正在向总部设置 PIN…</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../app/ui/reports_page.py" line="+57"/>
        <source>Today&apos;s &amp;visit sheet</source>
        <translation>今日外访单(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Report of the selected &amp;case</source>
        <translation>所选案件报告(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open the PDF</source>
        <translation>打开 PDF(&amp;O)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Select a case on the Cases page first.</source>
        <translation>请先在“案件”页选择一个案件。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Making the PDF…</source>
        <translation>正在生成 PDF…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 (%2 page(s)), saved in %3</source>
        <translation>%1（%2 页），保存在 %3</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The PDF could not be made: %1</source>
        <translation>无法生成 PDF：%1</translation>
    </message>
</context>
<context>
    <name>ResolveDialog</name>
    <message>
        <location filename="../../app/ui/visit_safety/resolve_dialog.py" line="+34"/>
        <source>Resolve the alarm</source>
        <translation>处理警报</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>What happened?</source>
        <translation>发生了什么？</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Note (what was done, who was reached):</source>
        <translation>备注(&amp;N)（采取了什么措施、联系上了谁）：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Resolve</source>
        <translation>处理完毕(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The note is too long: %1 characters at most.</source>
        <translation>备注太长：最多 %1 个字符。</translation>
    </message>
</context>
<context>
    <name>RouteMapView</name>
    <message>
        <location filename="../../app/ui/map_view.py" line="+77"/>
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>End</source>
        <translation>终点</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No stops planned</source>
        <translation>未安排外访点</translation>
    </message>
</context>
<context>
    <name>RouteSkips</name>
    <message>
        <location filename="../../app/ui/route_skips.py" line="+79"/>
        <source>Standing partner: %1. A partner typed here counts for this day only.</source>
        <translation>固定搭档：%1。在此输入的搭档只对当天有效。</translation>
    </message>
    <message numerus="yes">
        <location line="+20"/>
        <source>%n not planned: </source>
        <translation>
            <numerusform>%n 件未排入：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n without a partner</source>
        <translation>
            <numerusform>%n 件需要搭档</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n do-not-visit</source>
        <translation>
            <numerusform>%n 件禁止上门</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n outside visiting hours</source>
        <translation>
            <numerusform>%n 件不在可上门时段</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n too many for the day</source>
        <translation>
            <numerusform>%n 件当天排不下</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n without coordinates</source>
        <translation>
            <numerusform>%n 件没有坐标</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n too far away</source>
        <translation>
            <numerusform>%n 件距离太远</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n for other reasons</source>
        <translation>
            <numerusform>%n 件因其他原因</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Plan with %1 (standing partner)</source>
        <translation>与 %1（固定搭档）一起排路线</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter a partner</source>
        <translation>填写搭档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No standing partner is set at head office: type the second collector for today, then plan again</source>
        <translation>总部未设置固定搭档：请填写今天的第二名外访员，然后重新排路线</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Work until %1</source>
        <translation>工作到 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End the working day later (never past the permitted visiting hours)</source>
        <translation>推迟当天收工时间（不超过允许上门的时段）</translation>
    </message>
</context>
<context>
    <name>RouteStopsModel</name>
    <message>
        <location filename="../../app/ui/route_stops_model.py" line="+61"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Arrive</source>
        <translation>到达</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Leave</source>
        <translation>离开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leg</source>
        <translation>路段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Locked stops stay first, in this order</source>
        <translation>锁定的外访点排在最前，按此顺序</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Arrive, then wait until the visit can start</source>
        <translation>到达后需等待到可上门时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Must visit today (a promise falls due)</source>
        <translation>今日必须上门（承诺还款到期）</translation>
    </message>
</context>
<context>
    <name>RouteView</name>
    <message>
        <location filename="../../app/ui/route_view.py" line="+103"/>
        <source>Partner (second collector)</source>
        <translation>搭档（第二名外访员）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Visits that need two collectors are planned only with a partner</source>
        <translation>须两人同行的外访只在有搭档时安排</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Plan the day</source>
        <translation>规划今日路线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re-optimise the rest</source>
        <translation>重新优化剩余路线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download the map for today&apos;s area</source>
        <translation>下载今日区域地图</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set a tile source in the settings first</source>
        <translation>请先在设置中配置地图瓦片来源</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Case number to add</source>
        <translation>要添加的案件编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arrived / start visit</source>
        <translation>已到达 / 开始外访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the selected stop&apos;s door: head office times the visit</source>
        <translation>到达所选站点门口：总部为本次外访计时</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not planned</source>
        <translation>未排入</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>No agent is signed in on this device: there is no route to plan.</source>
        <translation>本设备没有外访员登录：无路线可规划。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Planning the day…</source>
        <translation>正在规划今日路线…</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Plan the day first; the map is downloaded around its stops.</source>
        <translation>请先规划路线；地图将按外访点周边下载。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Estimating the download…</source>
        <translation>正在估算下载量…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Planning…</source>
        <translation>正在规划…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Still working on the previous request…</source>
        <translation>仍在处理上一个请求…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Could not do that: %1</source>
        <translation>无法完成：%1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No plan for this day yet.</source>
        <translation>今天还没有路线规划。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End</source>
        <translation>终点</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 stops, %2 km, back at %3; %4 not planned</source>
        <translation>%1 个外访点，%2 公里，%3 返回；%4 个未排入</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>No case %1 on this device.</source>
        <translation>本设备上没有案件 %1。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Select the stop you have arrived at.</source>
        <translation>请选择您已到达的站点。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Route for %1</source>
        <translation>%1 的路线</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Download the map</source>
        <translation>下载地图</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The map of today&apos;s area is already on this device.</source>
        <translation>今日区域的地图已在本设备上。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Download %1 map tiles (about %2 MB) for zoom levels %3? %4 are already here.</source>
        <translation>下载缩放级别 %3 的 %1 个地图瓦片（约 %2 MB）？已有 %4 个。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Download cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Downloading the map…</source>
        <translation>正在下载地图…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Download stopped; the tiles fetched so far are kept.</source>
        <translation>下载已停止；已下载的瓦片会保留。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Download stopped after %1 tiles: %2</source>
        <translation>下载了 %1 个瓦片后停止：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Downloaded %1 tiles (%2 MB); %3 failed.</source>
        <translation>已下载 %1 个瓦片（%2 MB）；%3 个失败。</translation>
    </message>
</context>
<context>
    <name>SafetyBoard</name>
    <message>
        <location filename="../../app/ui/visit_safety/board_model.py" line="+26"/>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SOS</source>
        <translation>SOS 求救</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Duress PIN</source>
        <translation>胁迫 PIN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not back at day&apos;s end</source>
        <translation>收工未报平安</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>RED</source>
        <translation>红色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>AMBER</source>
        <translation>黄色</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>agent safe</source>
        <translation>催收员平安</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>partner reached</source>
        <translation>已联系上搭档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>police called</source>
        <translation>已报警</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>false alarm</source>
        <translation>误报</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+57"/>
        <source>Agent</source>
        <translation>催收员</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+57"/>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+57"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location line="-57"/>
        <source>Partner</source>
        <translation>搭档</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Started</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>overdue %1</source>
        <translation>超时 %1</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alarm</source>
        <translation>警报</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Raised</source>
        <translation>发出时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deliveries</source>
        <translation>通知</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Resolved by %1: %2</source>
        <translation>由 %1 处理：%2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Acknowledged by %1 %2</source>
        <translation>已由 %1 认领 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raised — nobody has acknowledged it</source>
        <translation>已发出 — 尚无人认领</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>failed: %1 to %2 (%3)</source>
        <translation>失败：%1 发给 %2（%3）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 sent, %2 waiting</source>
        <translation>已发送 %1，等待 %2</translation>
    </message>
</context>
<context>
    <name>SafetyBoardPage</name>
    <message>
        <location filename="../../app/ui/visit_safety/board_page.py" line="+105"/>
        <source>Safety board</source>
        <translation>安全看板</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open visits</source>
        <translation>进行中的外访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Alarms</source>
        <translation>警报</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Acknowledge</source>
        <translation>认领(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take this alarm on: the ladder stops calling the next contact</source>
        <translation>认领此警报：升级流程不再通知下一位联系人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;solve…</source>
        <translation>处理(&amp;S)…</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>No head office is configured: the board needs head office.</source>
        <translation>未配置总部：安全看板需要连接总部。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Updated %1 · refresh took %2 ms</source>
        <translation>更新于 %1 · 刷新耗时 %2 毫秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The board shows what head office said at %1.</source>
        <translation>看板显示的是总部在 %1 的数据。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head office cannot be asked now: %1</source>
        <translation>暂时无法向总部查询：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open visits: %1</source>
        <translation>进行中的外访：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Alarms: %1 open</source>
        <translation>警报：%1 条未关闭</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Safety alarm: %1</source>
        <translation>安全警报：%1</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>You acknowledged the alarm of %1.</source>
        <translation>您已认领 %1 的警报。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Acknowledged by %1</source>
        <translation>已由 %1 认领</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>another supervisor</source>
        <translation>另一位主管</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not acknowledged: %1</source>
        <translation>未能认领：%1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>No head office is configured.</source>
        <translation>未配置总部。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The alarm of %1 is resolved.</source>
        <translation>%1 的警报已处理。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Add a safety note?</source>
        <translation>添加安全提示？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add a safety note to this case? (e.g. threatened, a dog, locked in)</source>
        <translation>为该案件添加安全提示？（例如：受到威胁、有狗、被锁在屋内）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Add a safety note…</source>
        <translation>添加安全提示…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The case is not on this laptop: add the note on the agent&apos;s laptop.</source>
        <translation>该案件不在本机：请在催收员的电脑上添加提示。</translation>
    </message>
</context>
<context>
    <name>SafetyNoteDialog</name>
    <message>
        <location filename="../../app/ui/safety_dialog.py" line="-143"/>
        <source>Edit safety note — %1</source>
        <translation>编辑安全提示 — %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add safety note — %1</source>
        <translation>添加安全提示 — %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Two-person visit required</source>
        <translation>须两人同行上门(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Do not visit</source>
        <translation>禁止上门(&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applies to every case of this debtor</source>
        <translation>适用于该债务人的所有案件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>E&amp;xpires on:</source>
        <translation>失效日期(&amp;X)：</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>&amp;Category:</source>
        <translation>类别(&amp;C)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Se&amp;verity:</source>
        <translation>严重程度(&amp;V)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;What to watch out for:</source>
        <translation>需注意的情况(&amp;W)：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Nothing was saved: %1</source>
        <translation>未保存任何内容：%1</translation>
    </message>
</context>
<context>
    <name>SafetyNoteFields</name>
    <message>
        <location filename="../../app/ui/outcome_dialog.py" line="-380"/>
        <source>What happened at the door</source>
        <translation>上门时发生的情况</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two-person visit required</source>
        <translation>须两人同行上门</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not visit</source>
        <translation>禁止上门</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="+44"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>WGS-84 (international tiles)</source>
        <translation>WGS-84（国际地图瓦片）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GCJ-02 (Chinese map providers)</source>
        <translation>GCJ-02（国内地图服务商）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(the system&apos;s certificate authorities)</source>
        <translation>（系统自带的证书颁发机构）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>optional: one SHA-256 of head office&apos;s public key per line</source>
        <translation>可选：每行一个总部公钥的 SHA-256</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Closed or returned cases leave this laptop this many days after their last change, once head office has everything recorded on them.</source>
        <translation>已结案或已退回的案件，在最后一次变更满此天数、且总部已收到其全部记录后，从本机删除。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Head office address:</source>
        <translation>总部地址(&amp;H)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;CA bundle (PEM):</source>
        <translation>CA 证书包 (PEM)(&amp;C)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Public-key &amp;pins:</source>
        <translation>公钥固定(&amp;P)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Map &amp;tiles (URL template):</source>
        <translation>地图瓦片（URL 模板）(&amp;T)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tile &amp;attribution:</source>
        <translation>瓦片版权声明(&amp;A)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tile &amp;coordinates:</source>
        <translation>瓦片坐标系(&amp;C)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock after idle:</source>
        <translation>空闲后锁定(&amp;L)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keep closed cases:</source>
        <translation>结案案件保留(&amp;K)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>CA bundle</source>
        <translation>CA 证书包</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A pin must be the SHA-256 of head office&apos;s public key, in base64 or hex.</source>
        <translation>固定值须为总部公钥的 SHA-256（base64 或十六进制）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The CA bundle file does not exist.</source>
        <translation>CA 证书包文件不存在。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The CA bundle is not a PEM file of certificates.</source>
        <translation>CA 证书包不是 PEM 格式的证书文件。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Enter an address like https://headoffice.example.com</source>
        <translation>请输入类似 https://headoffice.example.com 的地址</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Plain http:// would send your cases unencrypted: use https:// (only a head office on this computer may use http://).</source>
        <translation>明文 http:// 会不加密地发送您的案件：请使用 https://（只有运行在本机上的总部可以用 http://）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A tile URL needs {z}, {x} and {y}, e.g. https://…/{z}/{x}/{y}.png</source>
        <translation>瓦片 URL 须包含 {z}、{x} 和 {y}，例如 https://…/{z}/{x}/{y}.png</translation>
    </message>
</context>
<context>
    <name>SosDialog</name>
    <message>
        <location filename="../../app/ui/visit_safety/sos_dialog.py" line="+30"/>
        <source>SOS</source>
        <translation>SOS 求救</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send an SOS to head office? Your supervisor and your safety contacts are alerted at once, with your position.</source>
        <translation>向总部发送 SOS 求救？您的主管和安全联系人会立即收到警报和您的位置。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Send SOS now</source>
        <translation>立即发送 SOS</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Sending by itself in %1 s unless you press Cancel.</source>
        <translation>%1 秒后自动发送，除非您按“取消”。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Sending the SOS…</source>
        <translation>正在发送 SOS…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>SOS sent to head office</source>
        <translation>SOS 已发送至总部</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>SOS queued: head office cannot be reached — call:</source>
        <translation>SOS 已排队：无法连接总部 — 请打电话：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>your supervisor (no number on this laptop)</source>
        <translation>您的主管（本机没有其号码）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The SOS could not be recorded: %1</source>
        <translation>无法记录 SOS：%1</translation>
    </message>
</context>
<context>
    <name>StartVisitDialog</name>
    <message>
        <location filename="../../app/ui/visit_safety/start_dialog.py" line="+74"/>
        <source>Start visit — %1</source>
        <translation>开始外访 — %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Head office times this visit: if you have not checked out when the time is up, your partner and your supervisor are alerted.</source>
        <translation>总部为本次外访计时：如时间到了您仍未签退，您的搭档和主管会收到警报。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Planned minutes</source>
        <translation>计划时长（分钟）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>shorter: this door was hostile before</source>
        <translation>较短：此处曾有敌意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>policy default</source>
        <translation>策略默认值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Proposed %1 min (%2); allowed %3–%4 min.</source>
        <translation>建议 %1 分钟（%2）；允许 %3–%4 分钟。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No partner (alone)</source>
        <translation>无搭档（独自前往）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This laptop&apos;s position (%1, %2)</source>
        <translation>本机位置（%1, %2）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This laptop has no position: the case address is sent instead.</source>
        <translation>本机没有定位：改为发送案件地址。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Planned &amp;minutes:</source>
        <translation>计划时长(&amp;M)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Partner:</source>
        <translation>搭档(&amp;P)：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Position:</source>
        <translation>位置：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Start visit</source>
        <translation>开始外访(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <location filename="../../app/ui/sync_page.py" line="-68"/>
        <source>Head office could not read this record.</source>
        <translation>总部无法读取这条记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head office did not accept your sign-in.</source>
        <translation>总部未接受您的登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You may not change this case any more (it may have been reassigned).</source>
        <translation>您已无权修改此案件（可能已被重新分配）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head office does not know this case.</source>
        <translation>总部没有此案件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Someone else changed this case at the same time; a supervisor will decide.</source>
        <translation>他人同时修改了此案件，将由主管裁定。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The record is too large to upload.</source>
        <translation>记录过大，无法上传。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A field of this record was not valid.</source>
        <translation>这条记录中有字段无效。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Head office refused this record (code %1).</source>
        <translation>总部拒收了这条记录（代码 %1）。</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>S&amp;ync now</source>
        <translation>立即同步(&amp;Y)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;in to head office…</source>
        <translation>登录总部(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out of head office</source>
        <translation>退出总部登录(&amp;O)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting to upload</source>
        <translation>待上传</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refused by head office</source>
        <translation>被总部拒收</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Waiting to upload (oldest first):</source>
        <translation>待上传（最早的在前）(&amp;W)：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Refused by head office — these need a supervisor or a correction:</source>
        <translation>被总部拒收 —— 需主管处理或更正(&amp;R)：</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>No head office is configured: set its address in Settings, then sign in.</source>
        <translation>尚未配置总部：请在设置中填写地址，然后登录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>session kept in the system keyring</source>
        <translation>登录会话保存在系统钥匙串中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>session kept in this laptop&apos;s encrypted secrets file</source>
        <translation>登录会话保存在本机的加密密钥文件中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed in to head office %1 as %2</source>
        <translation>已以 %2 身份登录总部 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Head office %1 · user %2</source>
        <translation>总部 %1 · 用户 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not signed in to head office %1: sign in to sync (everything recorded stays queued).</source>
        <translation>未登录总部 %1：请登录后同步（已记录的内容都保留在队列中）。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Retention: nothing has been removed from this laptop yet.</source>
        <translation>数据保留：尚未从本机删除任何内容。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Retention (%1): %2 closed case(s) older than %3 day(s) left this laptop, with %4 acknowledged record(s) and %5 evidence file(s); %6 kept until head office has everything recorded on them.</source>
        <translation>数据保留（%1）：%2 件超过 %3 天的已结案案件已从本机删除，连同 %4 条总部已确认的记录和 %5 个证据文件；%6 件保留到总部收到其全部记录为止。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 record(s) waiting to upload · %2 refused · last sync: %3</source>
        <translation>%1 条记录待上传 · %2 条被拒收 · 上次同步：%3</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync finished.</source>
        <translation>同步完成。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sync failed.</source>
        <translation>同步失败。</translation>
    </message>
</context>
<context>
    <name>TeamMapView</name>
    <message>
        <location filename="../../app/ui/team_page.py" line="+484"/>
        <source>No visits with a map position</source>
        <translation>没有带地图位置的外访</translation>
    </message>
</context>
<context>
    <name>TeamModel</name>
    <message>
        <location line="-349"/>
        <source>Agent</source>
        <translation>外访员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last sync</source>
        <translation>最近同步</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outcomes</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Promises due</source>
        <translation>到期承诺</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Collected</source>
        <translation>回款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Safety events</source>
        <translation>安全事件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flagged</source>
        <translation>被标记</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
</context>
<context>
    <name>TeamPage</name>
    <message>
        <location line="-67"/>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 min ago</source>
        <translation>%1 分钟前</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 h ago</source>
        <translation>%1 小时前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 d ago</source>
        <translation>%1 天前</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>head office cannot be reached</source>
        <translation>无法连接总部</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sign in to head office first</source>
        <translation>请先登录总部</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>head office&apos;s certificate did not check out</source>
        <translation>总部的证书未通过校验</translation>
    </message>
    <message>
        <location line="+123"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Day:</source>
        <translation>日期(&amp;D)：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Loading the team&apos;s figures…</source>
        <translation>正在加载团队数据…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Asking head office for the team&apos;s figures…</source>
        <translation>正在向总部获取团队数据…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No head office is configured.</source>
        <translation>尚未配置总部。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Figures from head office, fetched at %1.</source>
        <translation>总部数据，获取于 %1。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Not updated: %1. No figures saved for this day yet.</source>
        <translation>未更新：%1。这一天尚无已保存的数据。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not updated: %1. Showing the figures fetched %2.</source>
        <translation>未更新：%1。显示%2获取的数据。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Team: %1 visit(s) done, %2 planned · %3 collected · %4 promise(s) due · %5 safety event(s) · %6 flagged</source>
        <translation>团队：已完成外访 %1 次，计划 %2 次 · 回款 %3 · 到期承诺 %4 笔 · 安全事件 %5 起 · 被标记 %6 项</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved figures, fetched %1; asking head office…</source>
        <translation>已保存的数据（%1获取）；正在询问总部…</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>%1 visit(s) on the map; %2 without a position.</source>
        <translation>地图上有 %1 次外访；%2 次没有位置。</translation>
    </message>
</context>
<context>
    <name>TilesNote</name>
    <message>
        <location filename="../../app/ui/map_tiles_note.py" line="+28"/>
        <source>No map tiles saved for this area — no tile source is set, so the map shows a plain background. Set a tile source in Settings, then use “Download the map for today&apos;s area” in the Route room or run %1.</source>
        <translation>本区域没有已保存的地图瓦片——尚未设置瓦片来源，地图只显示空白底色。请在“设置”中设置瓦片来源，然后在今日路线中使用“下载今日区域地图”，或运行 %1。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No map tiles saved for this area, and the tile server cannot be reached. When online, use “Download the map for today&apos;s area” in the Route room or run %1.</source>
        <translation>本区域没有已保存的地图瓦片，且无法连接瓦片服务器。联网后请在今日路线中使用“下载今日区域地图”，或运行 %1。</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <location filename="../../app/ui/timeline_model.py" line="+76"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Double-click to open the letter&apos;s PDF</source>
        <translation>双击打开律师函的PDF</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Payment</source>
        <translation>还款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Promise to pay (%1)</source>
        <translation>承诺还款（%1）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Safety note</source>
        <translation>安全提示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Relief proposal</source>
        <translation>减免/延期申请</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Supervisor&apos;s decision</source>
        <translation>主管审批</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evidence: %1</source>
        <translation>证据：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>audio recording</source>
        <translation>录音</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>video recording</source>
        <translation>录像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Relief proposal approved by %1</source>
        <translation>减免方案已由 %1 批准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Relief proposal rejected by %1</source>
        <translation>减免方案被 %1 驳回</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Flagged record approved by %1</source>
        <translation>被标记的记录已由 %1 认可</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Flagged record rejected by %1</source>
        <translation>被标记的记录被 %1 驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compliance override approved by %1</source>
        <translation>合规例外已由 %1 批准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compliance override rejected by %1</source>
        <translation>合规例外被 %1 驳回</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 collector(s)</source>
        <translation>%1 名外访员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>recorded</source>
        <translation>已录音录像</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not recorded: %1</source>
        <translation>未录音录像：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>third party</source>
        <translation>第三方</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>receipt %1</source>
        <translation>回单 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>due %1</source>
        <translation>到期 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>two-person visit</source>
        <translation>须两人同行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>do not visit</source>
        <translation>禁止上门</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>replaced by a newer version</source>
        <translation>已被新版本取代</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>expires/expired %1</source>
        <translation>失效日期 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>uploaded to head office</source>
        <translation>已上传总部</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sealed on this laptop, not uploaded yet</source>
        <translation>已在本机加密保存，尚未上传</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fingerprint %1…</source>
        <translation>指纹 %1…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 by %2</source>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>VisitBanner</name>
    <message>
        <location filename="../../app/ui/visit_safety/banner.py" line="+59"/>
        <source>Visit in progress</source>
        <translation>外访进行中</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Check out: safe</source>
        <translation>签退：平安</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SOS</source>
        <translation>SOS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send an SOS to head office (Ctrl+Alt+S, from every room)</source>
        <translation>向总部发送 SOS 求救（Ctrl+Alt+S，任何页面均可）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add %1 minutes to the visit</source>
        <translation>外访延长 %1 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your day&apos;s visits are over: tell head office you are back safe.</source>
        <translation>今天的外访已结束：请告知总部您已平安返回。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back safe for today</source>
        <translation>今日已平安返回</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>with %1</source>
        <translation>同行：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the door: %1 · %2</source>
        <translation>外访中：%1 · %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Head office does not know you are at this door</source>
        <translation>总部不知道您在此处外访</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Call if you need help: %1</source>
        <translation>如需帮助请拨打：%1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>overdue</source>
        <translation>已超时</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>left</source>
        <translation>剩余</translation>
    </message>
</context>
<context>
    <name>VisitControl</name>
    <message>
        <location filename="../../app/ui/visit_safety/control.py" line="+120"/>
        <source>Send &amp;SOS…</source>
        <translation>发送 SOS 求救(&amp;S)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send an SOS to head office (Ctrl+Alt+S, from every room)</source>
        <translation>向总部发送 SOS 求救（Ctrl+Alt+S，任何页面均可）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start &amp;visit…</source>
        <translation>开始外访(&amp;V)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Check out: safe…</source>
        <translation>签退：平安(&amp;C)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Back safe for today</source>
        <translation>今日已平安返回(&amp;B)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set safety &amp;PINs…</source>
        <translation>设置安全 PIN(&amp;P)…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sa&amp;fety</source>
        <translation>安全(&amp;F)</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>No head office is configured: set its address in Settings.</source>
        <translation>未配置总部：请在“设置”中填写其地址。</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Select a case first.</source>
        <translation>请先选择一个案件。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>Setting the PINs needs head office: set its address in Settings.</source>
        <translation>设置 PIN 需要连接总部：请在“设置”中填写其地址。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The visit was extended.</source>
        <translation>外访已延长。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your visit ends in 5 minutes: check out, or extend it.</source>
        <translation>您的外访将在 5 分钟后结束：请签退或延长。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your visit time is up: check out, or extend it.</source>
        <translation>您的外访时间已到：请签退或延长。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Doorstep — visit</source>
        <translation>Doorstep — 外访</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No visit is open.</source>
        <translation>当前没有进行中的外访。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Head office is told you are back safe for today.</source>
        <translation>已告知总部您今日已平安返回。</translation>
    </message>
</context>
<context>
    <name>VisitSafety</name>
    <message>
        <location filename="../../app/ui/visit_safety/banner.py" line="+28"/>
        <source>Partner</source>
        <translation>搭档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no phone number</source>
        <translation>无电话号码</translation>
    </message>
    <message>
        <location filename="../../app/ui/visit_safety/pin_dialogs.py" line="-78"/>
        <source>A PIN is 4 to 6 digits.</source>
        <translation>PIN 为 4 至 6 位数字。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A PIN of one repeated digit is too easy to guess.</source>
        <translation>由同一数字重复组成的 PIN 太容易被猜到。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A PIN of consecutive digits is too easy to guess.</source>
        <translation>由连续数字组成的 PIN 太容易被猜到。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The duress PIN must differ from the safety PIN.</source>
        <translation>胁迫 PIN 必须与安全 PIN 不同。</translation>
    </message>
    <message>
        <location line="+125"/>
        <source>Head office cannot be reached: try again when the laptop is online.</source>
        <translation>无法连接总部：请在联网后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign in to head office first.</source>
        <translation>请先登录总部。</translation>
    </message>
</context>
</TS>
