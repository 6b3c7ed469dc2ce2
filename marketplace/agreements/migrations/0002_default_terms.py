"""The first published terms of the framework agreement and the statement of work, so a deal can
close on a fresh site; platform staff publish later versions in the admin."""

from django.db import migrations

MSA_EN = """This framework agreement ("Agreement") is made on {effective_date} between {buyer} ("Buyer") and {provider} ("Provider") and governs every statement of work the parties sign through the platform.

Services. The Provider performs the research services each statement of work describes, to the standards it names (including GLP, GMP or GCP where stated), with qualified staff and under its own quality system.

Statements of work. Each statement of work sets the scope, price in CNY, milestones and deliverables of one project. Where it differs from this Agreement for that project, the statement of work prevails.

Payment. The Buyer pays each milestone in CNY through the platform when it falls due and the compliance steps it requires are recorded. Amounts shown in other currencies are for information at the rate stated.

Confidentiality. Each party keeps the other's confidential information confidential, uses it only for the project, and returns or destroys it on request, for five years after the last statement of work ends.

Results and intellectual property. Data, reports and results made for the Buyer under a statement of work belong to the Buyer once the milestones covering them are paid; the Provider keeps its pre-existing know-how and methods.

Compliance. Each party complies with the laws that apply to it, including the PRC rules on human genetic resources, data export, export control and cross-border trade in services. No material or data leaves China unless the approvals or filings the platform lists for the deal are in place.

Term and law. This Agreement runs until either party ends it on 30 days' written notice; signed statements of work continue to their end. It is governed by the laws of the People's Republic of China; disputes go to arbitration at the Shanghai International Arbitration Center. The English and Chinese texts are equally authentic."""

MSA_ZH = """本框架协议（"本协议"）由{buyer}（"委托方"）与{provider}（"服务方"）于{effective_date}订立，适用于双方通过本平台签署的每一份工作说明书。

服务。服务方按照各工作说明书所述内容及其载明的标准（包括所列明的 GLP、GMP 或 GCP）提供研究服务，配备合格人员，并遵循其自身质量体系。

工作说明书。每份工作说明书规定一个项目的范围、人民币价格、里程碑及交付成果。就该项目而言，工作说明书与本协议不一致的，以工作说明书为准。

付款。里程碑到期且平台列明的合规步骤已记录后，委托方通过平台以人民币支付该里程碑款项。以其他币种显示的金额仅供参考，按所载汇率折算。

保密。各方对另一方的保密信息承担保密义务，仅将其用于项目，并应要求予以返还或销毁；保密期至最后一份工作说明书终止后五年。

成果与知识产权。依工作说明书为委托方产生的数据、报告和成果，在相应里程碑款项付清后归委托方所有；服务方保留其既有的专有技术和方法。

合规。各方遵守适用于其的法律，包括中国关于人类遗传资源、数据出境、出口管制及服务贸易的规定。平台为该交易列明的审批或备案完成前，任何材料或数据不得出境。

期限与法律。本协议持续有效，直至任何一方提前 30 日书面通知终止；已签署的工作说明书继续履行至届满。本协议适用中华人民共和国法律；争议提交上海国际仲裁中心仲裁。中英文文本具有同等效力。"""

SOW_EN = """This statement of work is made under the framework agreement between {buyer} and {provider} and takes effect when both parties have signed it.

Scope. The Provider performs the project, lines and deliverables stated above, within the turnaround stated, from the date the first milestone is paid or the date agreed in writing.

Price and milestones. The price is fixed in CNY as stated, with VAT on each line at its stated rate and basis; an exported research service zero-rated for VAT is stated as such. Each milestone is invoiced when it falls due.

Changes. A change to scope, price or milestones binds only as a change order signed by both parties; the deal is screened again on the changed facts.

Acceptance. The Buyer accepts or rejects each milestone's work within 10 business days of delivery, giving reasons for a rejection; work not rejected in that time is accepted."""

SOW_ZH = """本工作说明书依据{buyer}与{provider}之间的框架协议订立，经双方签署后生效。

范围。服务方自首个里程碑付款之日或书面约定之日起，在所载周期内完成上述项目、各项内容及交付成果。

价格与里程碑。价格以人民币固定如上，各项按所载税率和计税依据计缴增值税；适用零税率的出口研发服务予以注明。每个里程碑到期时开具发票。

变更。范围、价格或里程碑的变更，须经双方签署变更单方可生效；交易将依变更后的事实重新进行合规审查。

验收。委托方应在交付后 10 个工作日内验收或拒收每个里程碑的工作，拒收须说明理由；逾期未拒收的视为验收。"""


def add_terms(apps, schema_editor):
    TermsTemplate = apps.get_model("agreements", "TermsTemplate")
    for kind, title_en, title_zh, body_en, body_zh in (
        ("msa", "Framework services agreement", "框架服务协议", MSA_EN, MSA_ZH),
        ("sow", "Statement of work", "工作说明书", SOW_EN, SOW_ZH),
    ):
        TermsTemplate.objects.get_or_create(
            kind=kind,
            version="2026-12",
            defaults={
                "title_en": title_en, "title_zh": title_zh, "body_en": body_en,
                "body_zh": body_zh, "is_published": True,
            },
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_agreements")]

    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop)]
